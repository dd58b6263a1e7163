namespace AgentFunctions.Core.Configuration;

/// <summary>Size and range limits enforced at the door (<c>Limits:*</c> configuration keys).</summary>
public sealed class TaskLimits
{
    public const string SectionName = "Limits";

    public int MaxRolesPerTask { get; set; } = 16;

    public int MaxContextBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Bytes the spec JSON may take beyond its inline context: the request size minus the context string as
    /// encoded in the JSON, so escapes inside the context never count against it.
    /// </summary>
    public int MaxSpecBytes { get; set; } = 64 * 1024;

    public int MinTtlSeconds { get; set; } = 60;

    public int MaxTtlSeconds { get; set; } = 30 * 24 * 3600;

    public long MaxArtifactBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>
    /// The largest request body that can hold a valid spec whose context needs no JSON escaping. A context
    /// with escapes (\n, \", \u00e9) is longer on the wire than the limit measured on its text.
    /// </summary>
    public long MaxRequestBytes => (long)MaxContextBytes + MaxSpecBytes;

    /// <summary>
    /// The largest submit body read at all: a context at its limit with every byte escaped (a control
    /// character is six bytes as <c>\u0001</c>; "é" from a client that escapes all non-ASCII text is six
    /// bytes for two), plus the spec. The validator then measures the real limits.
    /// </summary>
    public long MaxSubmitBodyBytes => (6L * MaxContextBytes) + MaxSpecBytes;

    /// <summary>
    /// The largest result body a worker's complete may send: the result and its artifacts inline (base64 is a third
    /// larger than the bytes) in up to four times <see cref="MaxArtifactBytes"/>, plus 1 MiB for the rest of the JSON.
    /// Each piece is then checked against its own limit.
    /// </summary>
    public long MaxResultBodyBytes => (MaxArtifactBytes * 4) + (1024 * 1024);

    /// <summary>The largest request body any route reads: the server's own limit is set to this, and each route checks its tighter one.</summary>
    public long MaxAnyBodyBytes => Math.Max(MaxSubmitBodyBytes, MaxResultBodyBytes);
}
