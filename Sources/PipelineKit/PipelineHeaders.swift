/// Headers the pipeline adds to `code.mined` / `code.analyzed` (the schemas have no room for
/// them): where the checkout is, and the file's size and hash for the writer's File node.
public enum PipelineHeaders {
    public static let checkout = "checkout"
    public static let ref = "ref"
    public static let size = "size"
    public static let hash = "hash"
}
