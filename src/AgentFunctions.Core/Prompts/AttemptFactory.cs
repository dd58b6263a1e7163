using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Telemetry;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Commands;

namespace AgentFunctions.Core.Prompts;

/// <summary>Turns a <see cref="RunRoleAttempt"/> command into the envelope an agent receives.</summary>
public static class AttemptFactory
{
    /// <param name="inputs">Earlier results, with their content when the engine loaded it.</param>
    public static AgentAttempt Create(TaskState state, RunRoleAttempt command, IReadOnlyList<AttemptInput>? inputs = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(command);
        var spec = state.Spec;
        var attempt = new AgentAttempt
        {
            TaskId = state.Id,
            Role = command.Role,
            Attempt = command.Attempt,
            MaxAttempts = command.Schedule.MaxAttempts,
            Type = spec.Type ?? "task",
            From = spec.From,
            Instructions = spec.Instructions,
            Payload = spec.Payload,
            Context = spec.Context,
            ContextRef = spec.Context is null ? null : ArtifactLayout.Context(state.Id),
            Inputs = inputs ?? command.Inputs.Select(i => new AttemptInput(i.Role, i.Stage, i.Summary, i.ResultRef, null)).ToList(),
            ExpectedOutput = spec.ExpectedOutput,
            Priority = spec.Priority,
            Requires = spec.RequirementsOf(command.Stage),
            DeadlineAt = state.DeadlineAt,
            ReplyTo = spec.ReplyTo,
            Prompt = string.Empty,
        };
        attempt = Renumber(attempt, command.Attempt, state.Trace);
        return attempt with { Prompt = PromptBuilder.Build(attempt) };
    }

    /// <summary>
    /// The same envelope for another attempt number of the role, with that attempt's trace context (its span id is
    /// derived from the task's, so this stays deterministic for orchestrator code). The prompt is not rebuilt.
    /// </summary>
    public static AgentAttempt Renumber(AgentAttempt attempt, int number, TraceContext? task)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var trace = task?.ForAttempt(attempt.Role, number);
        return attempt with { Attempt = number, TraceParent = trace?.TraceParent, TraceState = trace?.TraceState };
    }
}
