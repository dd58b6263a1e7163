using System.Diagnostics;
using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Telemetry;

namespace AgentFunctions.Core.Runners;

/// <summary>
/// Puts each call of an in-process runner in a span (<c>runner command</c>, <c>runner http</c>, ...) under the
/// attempt's span, so an http or openai agent that reads the <c>traceparent</c> header joins the task's trace too.
/// </summary>
public sealed class TracedRunner(IAgentRunner inner, RunnerKind kind) : IAgentRunner
{
    private readonly string _name = SpanNames.RunnerPrefix + CoreConfiguration.RunnerName(kind);

    // A call that leaves this process is a client span; a program or the echo runner works in-process.
    private readonly ActivityKind _spanKind = kind is RunnerKind.Http or RunnerKind.OpenAi ? ActivityKind.Client : ActivityKind.Internal;

    /// <summary>The runner that does the work.</summary>
    public IAgentRunner Inner => inner;

    public async Task<AgentResult> RunAsync(AgentAttempt attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var parent = TraceContext.TryParse(attempt.TraceParent, attempt.TraceState);
        using var span = parent is null ? null : AgentTelemetry.StartSpan(_name, _spanKind, parent.ToActivityContext());
        if (span is null)
        {
            return await inner.RunAsync(attempt, cancellationToken);
        }

        span.SetTag(TelemetryTags.TaskId, attempt.TaskId);
        span.SetTag(TelemetryTags.Role, attempt.Role);
        span.SetTag(TelemetryTags.Attempt, attempt.Attempt);
        span.SetTag(TelemetryTags.Runner, CoreConfiguration.RunnerName(kind));
        try
        {
            var result = await inner.RunAsync(attempt, cancellationToken);
            if (result.Status == AgentResultStatus.Failed)
            {
                AgentTelemetry.Fail(span, result.Summary ?? "the agent reported a failure");
            }

            return result;
        }
        catch (Exception ex)
        {
            AgentTelemetry.Fail(span, ex.Message);
            throw;
        }
    }
}
