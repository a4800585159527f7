package io.sparkgen.model.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_backward_data;
import org.bytedeco.dnnl.convolution_backward_weights;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * libnd4j's {@code conv2d} and {@code conv2d_bp} on float arrays, computed by oneDNN's direct
 * convolution kernels, called through JavaCPP's presets of oneDNN 2.5 (org.bytedeco:dnnl). libnd4j
 * (even its oneDNN build) lets oneDNN 2.3 choose "any" algorithm and builds its primitives, and a
 * permuted copy of the kernel, on every call; oneDNN then takes its Winograd kernels for the
 * backward pass of 3x3 convolutions of more than 8 images, up to 5 times slower than the direct
 * ones on this product's small images. Here the primitives, their reorders and their blocked
 * scratch memory are built once per thread and geometry (shapes, strides, stride, padding,
 * dilation), and the arrays are bound to them by address on every call: measured on the 2-core
 * AVX-512 machine (batch 64, 14x14, forward / backward ms), 2->64 3x3 0.35 / 1.0 against libnd4j's
 * 0.65 / 1.7, 64->64 1x1 0.45 / 1.2 against 0.9-1.2 / 1.8-3.5, 64->4 3x3 0.7 / 1.5 against
 * 0.9-4.4 / 2.7-15.
 *
 * <p>Runs float arrays of rank 4 at offset 0 in any strides (NCHW or NHWC data, any of libnd4j's
 * three kernel layouts), 'same' or explicit padding, any stride and dilation; anything else (double
 * precision, causal padding, the library not loadable on this platform, {@code
 * sparkgen.nn.conv=native}) stays with libnd4j. Values equal libnd4j's to float rounding (the
 * summation order differs).
 */
final class OneDnnConv {

  private static final System.Logger LOG = System.getLogger(OneDnnConv.class.getName());

  /** Channels per block of oneDNN's AVX-512 layouts (nChw16c). */
  static final int BLOCK = 16;

  /** Null until first asked; then whether the library loaded and is chosen. */
  private static volatile Boolean enabled;

  private static engine cpu;

  /** Each thread's stream and built kernels (a oneDNN stream belongs to one thread). */
  private static final ThreadLocal<Kernels> KERNELS = ThreadLocal.withInitial(Kernels::new);

  private OneDnnConv() {}

  /**
   * Whether oneDNN computes convolutions here: {@code sparkgen.nn.conv} = auto (default; if the
   * library loads on this platform) | onednn (must load) | native (libnd4j's own).
   */
  static boolean enabled() {
    Boolean known = enabled;
    if (known == null) {
      synchronized (OneDnnConv.class) {
        if (enabled == null) {
          enabled = load(System.getProperty("sparkgen.nn.conv", "auto").trim().toLowerCase(Locale.ROOT));
        }
        known = enabled;
      }
    }
    return known;
  }

  private static boolean load(String mode) {
    switch (mode) {
      case "native":
        return false;
      case "auto":
      case "onednn":
        try {
          Loader.load(dnnl.class);
          cpu = new engine(engine.kind.cpu, 0);
          return true;
        } catch (Throwable e) { // UnsatisfiedLinkError and the like: no oneDNN for this platform
          if (mode.equals("onednn")) {
            throw new IllegalStateException("sparkgen.nn.conv=onednn, but oneDNN could not be loaded: " + e, e);
          }
          LOG.log(System.Logger.Level.WARNING, "oneDNN not loadable here, convolutions stay with libnd4j: " + e);
          return false;
        }
      default:
        throw new IllegalArgumentException("sparkgen.nn.conv=" + mode + ": expected auto, onednn or native");
    }
  }

  /**
   * Runs libnd4j's {@code conv2d} (inputs x, W, [b]; output y) when these arrays and integer
   * arguments (kH, kW, sH, sW, pH, pW, dH, dW, padding mode, NHWC, kernel layout) allow; false,
   * doing nothing, otherwise.
   */
  static boolean forward(long[] args, List<INDArray> in, List<INDArray> out) {
    if (in.size() < 2 || in.size() > 3 || out.size() != 1 || !enabled()) {
      return false;
    }
    INDArray bias = in.size() == 3 ? in.get(2) : null;
    Geometry g = Geometry.of(args, in.get(0), in.get(1), out.get(0));
    List<INDArray> arrays = new ArrayList<>(4);
    arrays.add(in.get(0));
    arrays.add(in.get(1));
    if (bias != null) {
      arrays.add(bias);
    }
    arrays.add(out.get(0));
    if (g == null || !usable(arrays) || (bias != null && !vector(bias, g.outC))) {
      return false;
    }
    KERNELS.get().run(Kind.FORWARD, g, arrays, bias != null);
    return true;
  }

  /**
   * Runs libnd4j's {@code conv2d_bp} (inputs x, W, [b], dL/dy; outputs dL/dx, dL/dW, [dL/db]) when
   * these arrays and integer arguments allow; false, doing nothing, otherwise.
   */
  static boolean backward(long[] args, List<INDArray> in, List<INDArray> out) {
    boolean hasBias = in.size() == 4;
    if ((in.size() != 3 && !hasBias) || out.size() != in.size() - 1 || !enabled()) {
      return false;
    }
    INDArray gradOut = in.get(in.size() - 1);
    Geometry g = Geometry.of(args, in.get(0), in.get(1), gradOut);
    // Order: x, W, dL/dy, dL/dx, dL/dW, [dL/db].
    List<INDArray> arrays = new ArrayList<>(6);
    arrays.add(in.get(0));
    arrays.add(in.get(1));
    arrays.add(gradOut);
    arrays.add(out.get(0));
    arrays.add(out.get(1));
    if (hasBias) {
      arrays.add(out.get(2));
    }
    if (g == null
        || !usable(arrays)
        || !Arrays.equals(out.get(0).shape(), in.get(0).shape())
        || !Arrays.equals(out.get(1).shape(), in.get(1).shape())
        || (hasBias && !vector(out.get(2), g.outC))) {
      return false;
    }
    KERNELS.get().run(Kind.BACKWARD, g, arrays, hasBias);
    return true;
  }

  /** How many kernels (geometries) this thread has built: how tests see that a graph ran here. */
  static int kernelsBuiltOnThisThread() {
    return enabled() ? KERNELS.get().built.size() : 0;
  }

  private static boolean usable(List<INDArray> arrays) {
    for (INDArray a : arrays) {
      if (a == null || a.dataType() != DataType.FLOAT || a.isEmpty() || a.offset() != 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean vector(INDArray a, long length) {
    return a.length() == length && (a.length() == 1 || a.elementWiseStride() == 1);
  }

  enum Kind { FORWARD, BACKWARD }

  /** A convolution's shapes and arithmetic, in oneDNN's terms (padding per side, dilation - 1). */
  record Geometry(
      long n, long inC, long inH, long inW, long outC, long outH, long outW,
      long kH, long kW, long sH, long sW, long padTop, long padLeft, long padBottom, long padRight,
      long dH, long dW, boolean nhwc, int kernelLayout) {

    /**
     * From libnd4j's integer arguments, the input x, the kernel W and the output (or its gradient)
     * y; null where oneDNN cannot stand in for libnd4j (causal padding, shapes libnd4j would
     * reject or compute differently).
     */
    static Geometry of(long[] args, INDArray x, INDArray w, INDArray y) {
      if (args.length < 9 || x.rank() != 4 || w.rank() != 4 || y.rank() != 4) {
        return null;
      }
      boolean nhwc = args.length > 9 && args[9] == 1;
      int layout = args.length > 10 ? (int) args[10] : 0;
      long mode = args[8];
      if (layout < 0 || layout > 2 || (mode != 0 && mode != 1)) {
        return null;
      }
      long[] ws = w.shape();
      long kH = layout == 0 ? ws[0] : layout == 1 ? ws[2] : ws[1];
      long kW = layout == 0 ? ws[1] : layout == 1 ? ws[3] : ws[2];
      long wIn = layout == 0 ? ws[2] : layout == 1 ? ws[1] : ws[3];
      long wOut = layout == 0 ? ws[3] : ws[0];
      if ((args[0] > 0 && args[0] != kH) || (args[1] > 0 && args[1] != kW)) {
        return null;
      }
      long sH = args[2], sW = args[3], dH = args[6], dW = args[7];
      if (sH < 1 || sW < 1 || dH < 1 || dW < 1) {
        return null;
      }
      long n = x.size(0);
      long inC = x.size(nhwc ? 3 : 1), inH = x.size(nhwc ? 1 : 2), inW = x.size(nhwc ? 2 : 3);
      long outC = y.size(nhwc ? 3 : 1), outH = y.size(nhwc ? 1 : 2), outW = y.size(nhwc ? 2 : 3);
      if (y.size(0) != n || inC != wIn || outC != wOut) {
        return null;
      }
      long effH = (kH - 1) * dH + 1, effW = (kW - 1) * dW + 1;
      long padTop, padLeft;
      if (mode == 1) { // 'same': libnd4j's ConvolutionUtils::calcPadding2D (C division truncates, as Java's)
        if (outH != ceilDiv(inH, sH) || outW != ceilDiv(inW, sW)) {
          return null;
        }
        padTop = ((outH - 1) * sH + effH - inH) / 2;
        padLeft = ((outW - 1) * sW + effW - inW) / 2;
      } else {
        padTop = args[4];
        padLeft = args[5];
        if (padTop < 0 || padLeft < 0
            || outH != (inH + 2 * padTop - effH) / sH + 1 || outW != (inW + 2 * padLeft - effW) / sW + 1) {
          return null;
        }
      }
      long padBottom = (outH - 1) * sH + effH - inH - padTop;
      long padRight = (outW - 1) * sW + effW - inW - padLeft;
      return new Geometry(n, inC, inH, inW, outC, outH, outW, kH, kW, sH, sW, padTop, padLeft, padBottom, padRight,
          dH - 1, dW - 1, nhwc, layout);
    }

    private static long ceilDiv(long a, long b) {
      return (a + b - 1) / b;
    }

    long[] xDims() {
      return new long[] {n, inC, inH, inW};
    }

    long[] yDims() {
      return new long[] {n, outC, outH, outW};
    }

    long[] wDims() {
      return new long[] {outC, inC, kH, kW};
    }

    /** An activation's strides in oneDNN's logical order (n, c, h, w). */
    long[] dataStrides(INDArray a) {
      long[] s = a.stride();
      return nhwc ? new long[] {s[0], s[3], s[1], s[2]} : s.clone();
    }

    /** The kernel's strides in oneDNN's logical order (out, in, kh, kw). */
    long[] kernelStrides(INDArray w) {
      long[] s = w.stride();
      return switch (kernelLayout) {
        case 0 -> new long[] {s[3], s[2], s[0], s[1]}; // [kH, kW, in, out]
        case 1 -> s.clone(); // [out, in, kH, kW]
        default -> new long[] {s[0], s[3], s[1], s[2]}; // [out, kH, kW, in]
      };
    }

    long[] pads() {
      return new long[] {padTop, padLeft};
    }

    long[] padsEnd() {
      return new long[] {padBottom, padRight};
    }

    long[] strides() {
      return new long[] {sH, sW};
    }

    long[] dilations() {
      return new long[] {dH, dW};
    }
  }

  /** A thread's stream and its kernels by geometry and array strides. */
  private static final class Kernels {
    private final stream stream = new stream(cpu);
    private final Map<List<Long>, Kernel> built = new HashMap<>();

    void run(Kind kind, Geometry g, List<INDArray> arrays, boolean hasBias) {
      List<Long> key = new ArrayList<>(64);
      key.add((long) kind.ordinal());
      key.add(hasBias ? 1L : 0L);
      for (Object part : new Object[] {g.xDims(), g.yDims(), g.wDims(), g.pads(), g.padsEnd(), g.strides(), g.dilations()}) {
        for (long v : (long[]) part) {
          key.add(v);
        }
      }
      key.add(g.nhwc ? 1L : 0L);
      key.add((long) g.kernelLayout);
      for (INDArray a : arrays) {
        for (long v : a.stride()) {
          key.add(v);
        }
      }
      Kernel kernel = built.get(key);
      if (kernel == null) {
        kernel = kind == Kind.FORWARD ? Kernel.forward(g, arrays, hasBias) : Kernel.backward(g, arrays, hasBias);
        built.put(key, kernel);
      }
      kernel.run(stream, arrays);
    }
  }

  /**
   * Primitives with their ports: each port is bound to one array of a call ({@code portArray}); a
   * port may serve several primitives, and several ports may bind the same array.
   */
  private static final class Kernel {
    private final List<Port> ports = new ArrayList<>();
    private final List<int[]> portArray = new ArrayList<>(); // {port index, array index}
    private final List<primitive> primitives = new ArrayList<>();
    private final List<IntMemoryMap> arguments = new ArrayList<>();

    static Kernel forward(Geometry g, List<INDArray> arrays, boolean hasBias) {
      memory.desc x = any(g.xDims()), w = any(g.wDims()), y = any(g.yDims());
      convolution_forward.primitive_desc pd = forwardDesc(g, x, w, hasBias ? user(new long[] {g.outC}, new long[] {1}) : null, y);
      Kernel k = new Kernel();
      IntMemoryMap args = new IntMemoryMap();
      int a = 0;
      args.put(dnnl.DNNL_ARG_SRC, k.in(a++, user(g.xDims(), g.dataStrides(arrays.get(0))), pd.src_desc()));
      args.put(dnnl.DNNL_ARG_WEIGHTS, k.in(a++, user(g.wDims(), g.kernelStrides(arrays.get(1))), pd.weights_desc()));
      if (hasBias) {
        args.put(dnnl.DNNL_ARG_BIAS, k.in(a++, user(new long[] {g.outC}, new long[] {1}), pd.bias_desc()));
      }
      args.put(dnnl.DNNL_ARG_DST, k.out(a, user(g.yDims(), g.dataStrides(arrays.get(a))), pd.dst_desc()));
      k.add(new convolution_forward(pd), args);
      return k;
    }

    static Kernel backward(Geometry g, List<INDArray> arrays, boolean hasBias) {
      memory.desc x = any(g.xDims()), w = any(g.wDims()), y = any(g.yDims());
      memory.desc biasDesc = hasBias ? user(new long[] {g.outC}, new long[] {1}) : null;
      convolution_forward.primitive_desc hint = forwardDesc(g, x, w, biasDesc, y);
      // The blocked layouts pad channels to 16: for the backward data pass of a convolution with
      // fewer in channels, the arrays' own layout (oneDNN's GEMM kernels; 2->64 3x3 at 14x14: ~0.4
      // against ~0.75 ms), with fewer out channels channels-last (64->4: ~0.5 against ~0.9 ms).
      memory.desc gradIn = x, gradOut = y;
      if (g.inC < BLOCK) {
        gradIn = user(g.xDims(), g.dataStrides(arrays.get(3)));
        gradOut = user(g.yDims(), g.dataStrides(arrays.get(2)));
      } else if (g.outC < BLOCK) {
        gradIn = new memory.desc(g.xDims(), memory.data_type.f32, memory.format_tag.nhwc);
        gradOut = new memory.desc(g.yDims(), memory.data_type.f32, memory.format_tag.nhwc);
      }
      convolution_backward_data.primitive_desc data = new convolution_backward_data.primitive_desc(
          new convolution_backward_data.desc(algorithm.convolution_direct, gradIn, w, gradOut,
              g.strides(), g.dilations(), g.pads(), g.padsEnd()),
          cpu, hint);
      convolution_backward_weights.primitive_desc weights = new convolution_backward_weights.primitive_desc(
          hasBias
              ? new convolution_backward_weights.desc(algorithm.convolution_direct, x, w, biasDesc, y,
                  g.strides(), g.dilations(), g.pads(), g.padsEnd())
              : new convolution_backward_weights.desc(algorithm.convolution_direct, x, w, y,
                  g.strides(), g.dilations(), g.pads(), g.padsEnd()),
          cpu, hint);
      memory.desc xUser = user(g.xDims(), g.dataStrides(arrays.get(0)));
      memory.desc wUser = user(g.wDims(), g.kernelStrides(arrays.get(1)));
      memory.desc gradOutUser = user(g.yDims(), g.dataStrides(arrays.get(2)));
      Kernel k = new Kernel();
      IntMemoryMap dataArgs = new IntMemoryMap();
      dataArgs.put(dnnl.DNNL_ARG_WEIGHTS, k.in(1, wUser, data.weights_desc()));
      dataArgs.put(dnnl.DNNL_ARG_DIFF_DST, k.in(2, gradOutUser, data.diff_dst_desc()));
      dataArgs.put(dnnl.DNNL_ARG_DIFF_SRC, k.out(3, user(g.xDims(), g.dataStrides(arrays.get(3))), data.diff_src_desc()));
      k.add(new convolution_backward_data(data), dataArgs);
      IntMemoryMap weightArgs = new IntMemoryMap();
      weightArgs.put(dnnl.DNNL_ARG_SRC, k.in(0, xUser, weights.src_desc()));
      weightArgs.put(dnnl.DNNL_ARG_DIFF_DST, k.in(2, gradOutUser, weights.diff_dst_desc()));
      weightArgs.put(dnnl.DNNL_ARG_DIFF_WEIGHTS,
          k.out(4, user(g.wDims(), g.kernelStrides(arrays.get(4))), weights.diff_weights_desc()));
      if (hasBias) {
        weightArgs.put(dnnl.DNNL_ARG_DIFF_BIAS, k.out(5, user(new long[] {g.outC}, new long[] {1}), weights.diff_bias_desc()));
      }
      k.add(new convolution_backward_weights(weights), weightArgs);
      return k;
    }

    private static convolution_forward.primitive_desc forwardDesc(
        Geometry g, memory.desc x, memory.desc w, memory.desc bias, memory.desc y) {
      convolution_forward.desc d = bias != null
          ? new convolution_forward.desc(prop_kind.forward_training, algorithm.convolution_direct, x, w, bias, y,
              g.strides(), g.dilations(), g.pads(), g.padsEnd())
          : new convolution_forward.desc(prop_kind.forward_training, algorithm.convolution_direct, x, w, y,
              g.strides(), g.dilations(), g.pads(), g.padsEnd());
      return new convolution_forward.primitive_desc(d, cpu);
    }

    private static memory.desc any(long[] dims) {
      return new memory.desc(dims, memory.data_type.f32, memory.format_tag.any);
    }

    private static memory.desc user(long[] dims, long[] strides) {
      return new memory.desc(dims, memory.data_type.f32, strides);
    }

    /** The primitive's memory for an input read from array {@code array} (reordered if its layout differs). */
    private memory in(int array, memory.desc user, memory.desc inner) {
      for (int[] pa : portArray) { // dL/dy feeds both backward primitives: reorder it once where they agree
        Port known = ports.get(pa[0]);
        if (pa[1] == array && known.input && known.inner.get_desc().equals(inner)) {
          return known.inner;
        }
      }
      Port port = new Port(user, inner, true);
      ports.add(port);
      portArray.add(new int[] {ports.size() - 1, array});
      return port.inner;
    }

    /** The primitive's memory for an output written to array {@code array}. */
    private memory out(int array, memory.desc user, memory.desc inner) {
      Port port = new Port(user, inner, false);
      ports.add(port);
      portArray.add(new int[] {ports.size() - 1, array});
      return port.inner;
    }

    private void add(primitive p, IntMemoryMap args) {
      primitives.add(p);
      arguments.add(args);
    }

    void run(stream s, List<INDArray> arrays) {
      for (int[] pa : portArray) {
        ports.get(pa[0]).bind(arrays.get(pa[1]));
      }
      // Inputs of every primitive first (an input port reorders before any output is written:
      // outputs never alias inputs in a graph), then each primitive, then the outputs.
      for (Port p : ports) {
        if (p.input) {
          p.reorderIn(s);
        }
      }
      for (int i = 0; i < primitives.size(); i++) {
        primitives.get(i).execute(s, arguments.get(i));
      }
      for (Port p : ports) {
        if (!p.input) {
          p.reorderOut(s);
        }
      }
      s._wait();
    }
  }

  /**
   * A primitive's argument: the user's array (by address) and, where the primitive wants another
   * layout, its own memory with the reorder between them.
   */
  private static final class Port {
    final boolean input;
    final memory user;
    final memory inner;
    final reorder reorder;

    Port(memory.desc userDesc, memory.desc innerDesc, boolean input) {
      this.input = input;
      this.user = new memory(userDesc, cpu, (Pointer) null);
      if (userDesc.equals(innerDesc)) {
        this.inner = user;
        this.reorder = null;
      } else {
        this.inner = new memory(innerDesc, cpu);
        this.reorder = input ? new reorder(user, inner) : new reorder(inner, user);
      }
    }

    void bind(INDArray a) {
      user.set_data_handle(new Address(a.data().address()));
    }

    void reorderIn(stream s) {
      if (reorder != null) {
        reorder.execute(s, user, inner);
      }
    }

    void reorderOut(stream s) {
      if (reorder != null) {
        reorder.execute(s, inner, user);
      }
    }
  }

  /** A pointer to a native address the array owns (no deallocator). */
  private static final class Address extends Pointer {
    Address(long address) {
      this.address = address;
    }
  }
}
