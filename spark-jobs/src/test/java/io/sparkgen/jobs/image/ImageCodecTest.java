package io.sparkgen.jobs.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.testing.Fixtures;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Decoding, colour conversion and resampling against values worked out by hand (or by Pillow's formulas). */
class ImageCodecTest {

  @Test
  void pngRoundTripIsLossless() throws Exception {
    for (int channels : new int[] {1, 3}) {
      RawImage image = Fixtures.image(3, 7, 5, channels);
      RawImage decoded = ImageCodec.decode(ImageCodec.encodePng(image));
      assertEquals(image.shape(), decoded.shape());
      assertArrayEquals(image.pixels(), decoded.pixels());
    }
  }

  @Test
  void sixteenBitGrayAndPaletteAndAlphaDecode() throws Exception {
    BufferedImage gray16 = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
    gray16.getRaster().setSample(0, 0, 0, 65535);
    gray16.getRaster().setSample(1, 0, 0, 32896); // 128.5 * 257 -> 128
    RawImage g = ImageCodec.decode(png(gray16));
    assertEquals("1x2x1", g.shape());
    assertEquals(255, g.at(0, 0, 0));
    assertEquals(128, g.at(0, 1, 0));

    BufferedImage argb = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
    argb.setRGB(0, 0, 0x80102030);
    RawImage a = ImageCodec.decode(png(argb));
    assertEquals("1x1x3", a.shape());
    assertEquals(0x10, a.at(0, 0, 0));
    assertEquals(0x20, a.at(0, 0, 1));
    assertEquals(0x30, a.at(0, 0, 2));

    BufferedImage palette = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_INDEXED);
    palette.setRGB(0, 0, 0xff0000);
    RawImage p = ImageCodec.decode(png(palette));
    assertEquals(255, p.at(0, 0, 0));
    assertEquals(0, p.at(0, 0, 1));
  }

  @Test
  void badBytesHaveReasons() {
    byte[] png = ImageCodec.encodePng(Fixtures.image(1, 4, 4, 1));
    assertTrue(assertThrows(BadImageException.class, () -> ImageCodec.decode(new byte[0])).getMessage().equals("empty file"));
    assertTrue(assertThrows(BadImageException.class, () -> ImageCodec.decode(java.util.Arrays.copyOf(png, png.length - 12)))
        .getMessage().startsWith("truncated PNG"));
    assertTrue(assertThrows(BadImageException.class, () -> ImageCodec.decode("hello, world".getBytes()))
        .getMessage().startsWith("not a PNG or JPEG image"));
  }

  @Test
  void lumaIsPillowsIntegerBt601() {
    RawImage rgb = new RawImage(1, 4, 3, new byte[] {(byte) 255, 0, 0, 0, (byte) 255, 0, 0, 0, (byte) 255,
        (byte) 200, (byte) 100, 50});
    RawImage gray = ImagePipeline.convertChannels(rgb, ChannelMode.GRAYSCALE);
    // Pillow: L = (R*19595 + G*38470 + B*7471 + 0x8000) >> 16  -> 76, 150, 29, 124
    assertArrayEquals(new byte[] {76, (byte) 150, 29, 124}, gray.pixels());
    RawImage back = ImagePipeline.convertChannels(gray, ChannelMode.RGB);
    assertEquals(76, back.at(0, 0, 2));
  }

  @Test
  void resampleKeepsConstantsAndAveragesOnDownscale() {
    RawImage constant = new RawImage(6, 6, 1, filled(36, 77));
    assertArrayEquals(filled(9, 77), Resampler.resize(constant, 3, 3).pixels());
    assertArrayEquals(filled(100, 77), Resampler.resize(constant, 10, 10).pixels());

    // 1x2 [0, 255] -> 1x1: triangle of support 2 centred at 1.0 weighs both pixels 1/2: 127.5 -> 128.
    RawImage pair = new RawImage(1, 2, 1, new byte[] {0, (byte) 255});
    assertEquals(128, Resampler.resize(pair, 1, 1).at(0, 0, 0));

    // A 2x2 checkerboard tiled 8x8, halved: every output pixel sees equal black and white weight.
    byte[] checker = new byte[64];
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        checker[y * 8 + x] = (byte) (((x + y) & 1) == 0 ? 0 : 255);
      }
    }
    RawImage half = Resampler.resize(new RawImage(8, 8, 1, checker), 4, 4);
    for (int y = 1; y < 3; y++) {
      for (int x = 1; x < 3; x++) {
        assertEquals(127.5, half.at(y, x, 0), 1.0);
      }
    }
  }

  @Test
  void cropAndScaleCropPickTheCentre() throws Exception {
    byte[] pixels = new byte[5 * 7];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) i;
    }
    RawImage crop = Resampler.centerCrop(new RawImage(5, 7, 1, pixels), 3, 3);
    // top = (5-3)/2 = 1, left = (7-3)/2 = 2
    assertArrayEquals(new byte[] {9, 10, 11, 16, 17, 18, 23, 24, 25}, crop.pixels());

    RawImage wide = new RawImage(10, 20, 1, filled(200, 9));
    RawImage out = new ImagePipeline(ChannelMode.AUTO, 5, 5, ResizeMode.SCALE_CROP).apply(wide);
    assertEquals("5x5x1", out.shape());
    assertThrows(BadImageException.class, () -> new ImagePipeline(ChannelMode.AUTO, 12, 12, ResizeMode.CENTER_CROP).apply(wide));
  }

  private static byte[] filled(int n, int value) {
    byte[] b = new byte[n];
    java.util.Arrays.fill(b, (byte) value);
    return b;
  }

  private static byte[] png(BufferedImage image) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }
}
