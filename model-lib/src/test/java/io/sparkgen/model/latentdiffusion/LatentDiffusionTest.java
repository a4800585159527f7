package io.sparkgen.model.latentdiffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.GenerativeModel;
import io.sparkgen.model.ImageShape;
import io.sparkgen.model.checkpoint.Checkpoint;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.provenance.Hashes;
import io.sparkgen.model.train.ImageDataset;
import io.sparkgen.model.train.LocalTrainer;
import io.sparkgen.model.train.TrainConfig;
import io.sparkgen.model.vae.VaeNetwork;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The frozen autoencoder inside a latent diffusion model: buffers, scale, round trip, refusals, provenance. */
class LatentDiffusionTest {

  private static final ImageShape SHAPE = new ImageShape(1, 8, 8);
  private static final LatentDiffusionFamily FAMILY = new LatentDiffusionFamily();

  private static TinyAutoencoder vae() {
    return TinyAutoencoder.of(SHAPE, 0);
  }

  private static ImageDataset data(int n) {
    return TinyAutoencoder.images(vae().config(), n);
  }

  private static GenerativeModel model(ImageDataset data) {
    TinyAutoencoder vae = vae();
    return FAMILY.createOn(LatentDiffusionContractTest.tiny(vae, 0, 16), 3L, vae.file().toString(), vae.bytes(), data);
  }

  /** The VAE of the checkpoint, as the VAE family itself would run it: EMA weights. */
  private static VaeNetwork reference() {
    VaeNetwork net = new VaeNetwork(vae().config(), 0L, DataType.FLOAT);
    net.parameters().assign(Checkpoint.read(vae().file()).ema());
    return net;
  }

  @Test
  void theAutoencoderIsBuffersThatTrainingLeavesBitIdentical() {
    GenerativeModel model = model(data(8));
    NamedArrays before = model.network().buffers().copy();
    assertTrue(before.group("vae").sameValues(Checkpoint.read(vae().file()).ema()), "buffers are not the VAE's EMA weights");
    assertTrue(model.network().parameters().names().stream().noneMatch(n -> n.startsWith("vae/") || n.startsWith("enc/")),
        "an autoencoder weight is trainable: " + model.network().parameters().names());
    LocalTrainer trainer = new LocalTrainer(model, new TrainConfig(1L, 4, 1_000L, 8.0), data(8));
    NamedArrays params = model.network().parameters().copy();
    for (int i = 0; i < 3; i++) {
      trainer.step();
    }
    assertTrue(model.network().buffers().sameValues(before), "training changed a buffer");
    assertTrue(!model.network().parameters().sameValues(params), "training changed no parameter");
  }

  @Test
  void decodingTheEncodedImageIsTheVaesOwnReconstruction() {
    ImageDataset data = data(5);
    LatentDiffusionNetwork net = (LatentDiffusionNetwork) model(data).network();
    VaeNetwork vae = reference();
    INDArray mu = vae.encode(VaeNetwork.binarize(data.images()), null)[0];
    INDArray expected = Transforms.sigmoid(vae.decodeLogits(mu, null), false).muli(2).subi(1);
    INDArray actual = net.decode(net.encode(data.images(), null), null);
    double error = Transforms.abs(actual.sub(expected)).maxNumber().doubleValue();
    assertTrue(error < 1e-5, "max difference " + error);
    assertTrue(expected.stdNumber().doubleValue() > 1e-3, "reconstructions are constant");
  }

  @Test
  void theLatentScaleMakesTheEncodedTrainingLatentsUnitVariance() {
    ImageDataset data = data(8);
    LatentDiffusionNetwork net = (LatentDiffusionNetwork) model(data).network();
    // Closed form in double precision: s = 1 / sqrt(mean((mu - mean(mu))^2)) over all 8 x 4 components.
    double[] mu = reference().encode(VaeNetwork.binarize(data.images()), null)[0].castTo(DataType.DOUBLE).dup('c')
        .data().asDouble();
    double mean = java.util.Arrays.stream(mu).average().orElseThrow();
    double var = java.util.Arrays.stream(mu).map(v -> (v - mean) * (v - mean)).sum() / mu.length;
    assertEquals(1 / Math.sqrt(var), net.scale(), 1e-5 / Math.sqrt(var));
    double[] z = net.encode(data.images(), null).castTo(DataType.DOUBLE).dup('c').data().asDouble();
    double zMean = java.util.Arrays.stream(z).average().orElseThrow();
    assertEquals(1.0, java.util.Arrays.stream(z).map(v -> (v - zMean) * (v - zMean)).sum() / z.length, 1e-5);
    assertEquals(1.0, net.buffers().get(LatentDiffusionNetwork.SCALE).length());
  }

  @Test
  void theCheckpointNamesTheAutoencoderAndCarriesIt(@TempDir Path dir) {
    GenerativeModel model = model(data(4));
    LatentDiffusionConfig config = (LatentDiffusionConfig) model.config();
    assertEquals(Hashes.sha256Hex(vae().bytes()), config.autoencoderSha256());
    assertEquals(vae().config(), config.autoencoderConfig());
    LocalTrainer trainer = new LocalTrainer(model, new TrainConfig(1L, 4, 1_000L, 8.0), data(4));
    trainer.step();
    Path file = dir.resolve("ld.zip");
    Checkpoint.save(trainer, file);
    Checkpoint read = Checkpoint.read(file);
    assertEquals(java.util.Map.of("autoencoder", vae().file() + " sha256:" + config.autoencoderSha256()),
        read.metadata().provenance().inputs());
    // Self-contained: the model comes back with the autoencoder, without its file.
    assertTrue(read.model().network().buffers().sameValues(model.network().buffers()));
  }

  @Test
  void refusesAMissingWrongOrAlteredAutoencoderNamingIt(@TempDir Path dir) {
    TinyAutoencoder vae = vae();
    LatentDiffusionConfig config = LatentDiffusionContractTest.tiny(vae, 0, 16);
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> FAMILY.inputCheckpoint(LatentDiffusionConfig.defaults()));
    assertTrue(none.getMessage().startsWith("autoencoder must name a trained VAE"), none.getMessage());

    TinyAutoencoder rgb = TinyAutoencoder.of(new ImageShape(3, 32, 32), 3);
    IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
        () -> FAMILY.createOn(config, 1L, rgb.file().toString(), rgb.bytes(), data(4)));
    assertTrue(shape.getMessage().startsWith("autoencoder " + rgb.file() + ": autoencoderConfig.image"), shape.getMessage());

    LocalTrainer ld = new LocalTrainer(model(data(4)), new TrainConfig(1L, 4, 1_000L, 8.0), data(4));
    Path notVae = dir.resolve("ld.zip");
    Checkpoint.save(ld, notVae);
    IllegalArgumentException family = assertThrows(IllegalArgumentException.class,
        () -> FAMILY.createOn(config, 1L, notVae.toString(), java.nio.file.Files.readAllBytes(notVae), data(4)));
    assertEquals("autoencoder " + notVae + " is a 'latent-diffusion' checkpoint; latent-diffusion needs a 'vae'"
        + " checkpoint", family.getMessage());

    LatentDiffusionConfig pinned = config.on(config.autoencoder(), "0".repeat(64), config.autoencoderConfig());
    IllegalArgumentException hash = assertThrows(IllegalArgumentException.class,
        () -> FAMILY.createOn(pinned, 1L, vae.file().toString(), vae.bytes(), data(4)));
    assertTrue(hash.getMessage().contains("but autoencoderSha256 asks for 000"), hash.getMessage());
  }
}
