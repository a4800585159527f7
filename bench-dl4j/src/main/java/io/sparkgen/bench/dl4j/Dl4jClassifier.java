package io.sparkgen.bench.dl4j;

import io.sparkgen.model.optim.AdamConfig;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The same classifier as {@link ClassifierNetwork}, as a DL4J MultiLayerNetwork configuration: what
 * DL4J Spark's ParameterAveragingTrainingMaster trains. DL4J applies a layer's dropout to its input,
 * so the dropout after convolution i sits on layer i + 1; Glorot-uniform weights, zero biases and
 * Adam with the same settings, as in the sparkgen graph.
 */
final class Dl4jClassifier {

  private Dl4jClassifier() {}

  static MultiLayerConfiguration configuration(ClassifierConfig c, long seed) {
    AdamConfig adam = c.optimizer();
    double keep = 1.0 - c.dropoutRate();
    NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
        .seed(seed)
        .dataType(DataType.FLOAT)
        .updater(new Adam(adam.learningRate(), adam.beta1(), adam.beta2(), adam.epsilon()))
        .weightInit(WeightInit.XAVIER_UNIFORM)
        .convolutionMode(ConvolutionMode.Same)
        .list();
    for (int i = 0; i < c.channels().size(); i++) {
      ConvolutionLayer.Builder conv = new ConvolutionLayer.Builder(c.kernelSize(), c.kernelSize())
          .stride(2, 2)
          .nOut(c.channels().get(i))
          .activation(new ActivationLReLU(c.leakyReluSlope()));
      if (i > 0 && c.dropoutRate() > 0) {
        conv.dropOut(new Dropout(keep));
      }
      list.layer(conv.build());
    }
    OutputLayer.Builder out = new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
        .nOut(c.numClasses())
        .activation(Activation.SOFTMAX);
    if (c.dropoutRate() > 0) {
      out.dropOut(new Dropout(keep));
    }
    return list.layer(out.build())
        .setInputType(InputType.convolutional(c.image().height(), c.image().width(), c.image().channels()))
        .build();
  }
}
