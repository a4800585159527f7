package io.sparkgen.model.diffusion;

import io.sparkgen.model.Family;
import io.sparkgen.model.ImageShape;
import io.sparkgen.model.ModelConfig;
import io.sparkgen.model.contract.FamilyContract;
import io.sparkgen.model.optim.AdamConfig;
import java.util.List;

class DiffusionContractTest extends FamilyContract {

  static DiffusionConfig tiny(ImageShape image, int classes, List<Integer> channels) {
    return new DiffusionConfig(
        image, classes, channels, 4, 16, 50, "linear", 1e-3, 0.2, 0.2, "dpm-solver++", 5, 1.0, AdamConfig.of(3e-3, 0.9));
  }

  @Override
  protected Family<?> family() {
    return new DiffusionFamily();
  }

  @Override
  protected ModelConfig tinyConfig() {
    return tiny(new ImageShape(1, 8, 8), 0, List.of(8, 16));
  }

  @Override
  protected ModelConfig otherArchitecture() {
    return tiny(new ImageShape(1, 8, 8), 0, List.of(8, 8));
  }

  @Override
  protected String overfitMetric() {
    return "loss";
  }

  @Override
  protected int overfitSteps() {
    return 60;
  }

  /**
   * The default UNet, counted by hand: time MLP 32*128+128 + 128*128+128 = 20,736; input conv
   * 9*1*32+32 = 320; residual blocks (two GroupNorms 2c each, two 3x3 convs, time projection
   * 128*out+out, 1x1 skip when channels change): down0 32->32 22,752; down1 32->64 65,984; down2
   * 64->128 246,656; mid 312,192; up2 256->128 492,800; up1 192->64 168,704; up0 96->32 44,416;
   * stride-2 convs 9,248 + 36,928; upsampling convs 147,584 + 36,928; output GroupNorm 64 and
   * conv 289.
   */
  @Override
  protected long expectedDefaultParameterCount() {
    return 1_605_601L;
  }
}
