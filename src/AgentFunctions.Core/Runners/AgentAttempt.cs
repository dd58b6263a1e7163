using System.Text.Json.Serialization;
using AgentFunctions.Core.Tasks;

namespace AgentFunctions.Core.Runners;

/// <summary>
/// The attempt envelope: everything an agent gets for one attempt of one role. POSTed as JSON to
/// <c>http</c> agents and handed to remote workers in a lease.
/// </summary>
public sealed record AgentAttempt
{
    public required string TaskId { get; init; }

    public required string Role { get; init; }

    public required int Attempt { get; init; }

    public int MaxAttempts { get; init; }

    public required string Type { get; init; }

    public string? From { get; init; }

    public string? Instructions { get; init; }

    public TaskPayload? Payload { get; init; }

    /// <summary>Inline context, when the task has one.</summary>
    public string? Context { get; init; }

    /// <summary>Artifact path of the context, e.g. <c>tasks/t1/context.md</c>.</summary>
    public string? ContextRef { get; init; }

    /// <summary>Results of earlier stages.</summary>
    public IReadOnlyList<AttemptInput> Inputs { get; init; } = [];

    public string? ExpectedOutput { get; init; }

    public TaskPriority Priority { get; init; } = TaskPriority.Normal;

    /// <summary>The capabilities this attempt needs from whoever runs it (the task's and its stage's <c>requires</c>).</summary>
    public IReadOnlyList<string> Requires { get; init; } = [];

    public DateTimeOffset? DeadlineAt { get; init; }

    public string? ReplyTo { get; init; }

    /// <summary>The full text for the agent, built by <see cref="Prompts.PromptBuilder"/>.</summary>
    public required string Prompt { get; init; }

    /// <summary>
    /// The W3C <c>traceparent</c> of this attempt's span in its task's trace (null for a task without one): runners
    /// start their spans under it, and the program of a <c>command</c> role or a remote worker gets it as <c>TRACEPARENT</c>.
    /// </summary>
    [JsonPropertyName("traceparent")]
    public string? TraceParent { get; init; }

    /// <summary>The W3C <c>tracestate</c> of the task's trace, when it came with one.</summary>
    [JsonPropertyName("tracestate")]
    public string? TraceState { get; init; }
}
