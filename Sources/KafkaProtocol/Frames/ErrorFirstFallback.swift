/// Some peers write null into non-nullable strings of an error answer (librdkafka's mock
/// cluster: FindCoordinator's Host, SyncGroup's Assignment). The error code is what matters
/// there, so for the group-management answers that open with throttle time and error code, a
/// body that fails to decode on such a null but carries a non-zero error code yields a default
/// body with that code rather than no answer at all. Any other failure (a truncated answer) and
/// a zero code still throw: a successful answer must decode.
enum ErrorFirstFallback {
    static func decode(_ reader: WireReader, apiKey: Int16, version: Int16) -> (any KafkaMessage)? {
        var peek = reader
        switch (apiKey, version) {
        case (10, 1...3), (11, 2...), (12, 1...), (13, 1...), (14, 1...):
            guard (try? peek.readInt32()) != nil, let code = try? peek.readInt16(), code != 0 else { return nil }
            switch apiKey {
            case 10:
                var body = FindCoordinatorResponse()
                body.errorCode = code
                return body
            case 11:
                var body = JoinGroupResponse()
                body.errorCode = code
                return body
            case 12:
                var body = HeartbeatResponse()
                body.errorCode = code
                return body
            case 13:
                var body = LeaveGroupResponse()
                body.errorCode = code
                return body
            default:
                var body = SyncGroupResponse()
                body.errorCode = code
                return body
            }
        default:
            return nil
        }
    }
}
