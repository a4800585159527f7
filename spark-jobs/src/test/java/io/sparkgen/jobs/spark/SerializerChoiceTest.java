package io.sparkgen.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sparkgen.jobs.eval.FeatureBlock;
import io.sparkgen.jobs.train.AveragedState;
import java.util.List;
import java.util.TreeMap;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.JavaSerializer;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Why every cluster submission pins {@code spark.serializer} to Java serialization (bin/jvm-flags.sh):
 * the records sparkgen broadcasts and collects round-trip under it, and Spark's Kryo 4 cannot build a
 * serializer for them. If Kryo ever passes here (a registrator for the records), it may be reconsidered.
 */
class SerializerChoiceTest {

  private static final ClassTag<Object> ANY = ClassTag$.MODULE$.Any();

  private static List<Object> crossingRecords() {
    TreeMap<String, float[]> values = new TreeMap<>();
    values.put("w", new float[] {1f, -2f, 3.5f});
    return List.of(new AveragedState(values, 7L),
        new FeatureBlock(10L, 1, 3, new float[] {0.5f, 1f, 2f}, 2, new float[] {0.1f, 0.9f}, new int[] {1}));
  }

  @Test
  void recordsRoundTripUnderJavaSerialization() {
    SerializerInstance java = new JavaSerializer(new SparkConf()).newInstance();
    for (Object record : crossingRecords()) {
      Object back = java.deserialize(java.serialize(record, ANY), ANY);
      assertEquals(record.getClass(), back.getClass());
    }
    AveragedState state = (AveragedState) java.deserialize(java.serialize(crossingRecords().get(0), ANY), ANY);
    assertEquals(7L, state.step());
    assertArrayEquals(new float[] {1f, -2f, 3.5f}, state.values().get("w"));
  }

  @Test
  void kryoCannotSerializeTheRecords() {
    SerializerInstance kryo = new KryoSerializer(new SparkConf()).newInstance();
    for (Object record : crossingRecords()) {
      assertThrows(IllegalArgumentException.class, () -> kryo.serialize(record, ANY),
          record.getClass().getSimpleName() + " serialized under Kryo: spark.serializer could now be Kryo");
    }
  }
}
