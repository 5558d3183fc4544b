enum KafkaCompressionPlaceholder {}
