package io.sparkgen.model.vae;

import io.sparkgen.model.ImageShape;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The contract test's tiny VAE config and the VAE's loss gradient, for tests in other packages. */
public final class VaeContractTestAccess {
  private VaeContractTestAccess() {}

  public static VaeConfig tiny(ImageShape image, int classes, int latent) {
    return VaeContractTest.tiny(image, classes, latent);
  }

  /** grad of the negative ELBO (the VAE objective's loss) w.r.t. every parameter, for binary images and given eps. */
  public static Map<String, INDArray> lossGradients(VaeNetwork net, INDArray xBinary, int[] labels, INDArray eps) {
    Map<String, INDArray> in = net.inputs(VaeNetwork.X, xBinary, labels);
    in.put(VaeNetwork.EPS, eps);
    return net.train.calculateGradients(in, net.trainableNames);
  }
}
