namespace AgentQ.Submit;

/// <summary>The flags of <c>agentq submit</c> as given, before they become a task spec.</summary>
public sealed record SubmitArguments
{
    /// <summary>CONTENT: the payload (text, or JSON with <see cref="PayloadFormat"/> json); "-" reads stdin.</summary>
    public string? Content { get; init; }

    /// <summary>--to values; each may hold several roles separated by commas.</summary>
    public IReadOnlyList<string> To { get; init; } = [];

    /// <summary>--stage occurrences in order: one stage each, the words that followed it (each may hold several roles separated by commas).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Stages { get; init; } = [];

    public string? Type { get; init; }

    public string? Instructions { get; init; }

    /// <summary>--file: the task context, read from this path ("-" reads stdin).</summary>
    public string? File { get; init; }

    /// <summary>--payload-fmt: text or json.</summary>
    public string? PayloadFormat { get; init; }

    public string? Priority { get; init; }

    public int? TtlSeconds { get; init; }

    public bool RequiresApproval { get; init; }

    /// <summary>--require values: capabilities every attempt needs; each may hold several separated by commas.</summary>
    public IReadOnlyList<string> Requires { get; init; } = [];

    public string? Id { get; init; }

    public string? From { get; init; }

    public string? ReplyTo { get; init; }
}
