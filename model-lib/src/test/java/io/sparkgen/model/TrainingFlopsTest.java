package io.sparkgen.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkgen.model.gan.GanFamily;
import io.sparkgen.model.vae.VaeFamily;
import org.junit.jupiter.api.Test;

/** The analytic training flops of the default models, summed by hand layer by layer (2 per multiply-add, x3). */
class TrainingFlopsTest {

  @Test
  void defaultVae() {
    // conv 13*13*1*32*9 + 6*6*32*64*9; dense 2304*32; dense 16*1568; deconv 7*7*32*64*9 + 14*14*64*32*9 + 28*28*32*1*9.
    long macs = 48_672 + 663_552 + 73_728 + 25_088 + 903_168 + 3_612_672 + 225_792;
    VaeFamily f = new VaeFamily();
    assertEquals(3.0 * 2 * macs, f.create(f.defaultConfig(), 0L).network().trainingFlopsPerImage());
  }

  @Test
  void defaultDcgan() {
    // G: dense 100*12544; deconv 7*7*256*128*25, 7*7*128*64*25, 14*14*64*1*25. D: conv 14*14*1*64*25, 7*7*64*128*25; dense 6272.
    long g = 1_254_400 + 40_140_800 + 10_035_200 + 313_600;
    long d = 313_600 + 10_035_200 + 6_272;
    GanFamily f = new GanFamily();
    // G step: G and D forward and backward; D step: D twice, forward and backward.
    assertEquals(3.0 * 2 * (g + 3 * d), f.create(f.defaultConfig(), 0L).network().trainingFlopsPerImage());
  }
}
