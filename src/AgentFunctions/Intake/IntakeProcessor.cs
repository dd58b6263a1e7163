using System.Text;
using System.Text.Json;
using AgentFunctions.Api.Engine;
using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Security;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Telemetry;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Hosting;
using AgentFunctions.Logging;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Intake;

/// <summary>
/// Starts tasks from specs on the <c>agent-tasks</c> queue with the same validation as <c>POST /api/tasks</c>.
/// A message that can never become a task (invalid, or its id taken by another spec) is logged and written as
/// a dead-letter record instead of failing until the poison queue. Infrastructure errors still throw, so the
/// queue retries them and, after <c>maxDequeueCount</c>, the poison trigger records them.
/// </summary>
public sealed class IntakeProcessor(
    ITaskEngine engine,
    IDeadLetterStore deadLetters,
    RoleCatalog roles,
    WorkflowOptions workflow,
    TaskLimits limits,
    IntakeSettings settings,
    SecurityOptions security,
    TimeProvider time,
    ILogger<IntakeProcessor> logger)
{
    private readonly TaskSpecValidator _validator = new(roles, limits);

    public async Task<IntakeOutcome> ProcessAsync(string messageId, long dequeueCount, string body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var (validation, rawId) = Validate(body);
        if (!validation.IsValid)
        {
            var problems = string.Join("; ", validation.Errors);
            logger.IntakeRejected(messageId, problems);
            await RecordAsync(messageId, rawId, dequeueCount, "invalid task spec: " + problems, spec: null, cancellationToken);
            return IntakeOutcome.DeadLettered;
        }

        // Without an id, the message id is the task id: a redelivered message finds its task instead of starting another.
        var spec = validation.Spec!;
        var screening = SecretScreening.ScreenSpec(spec, security.SecretScan);
        if (screening.Rejected)
        {
            // Recorded without the spec: the record must not keep the secrets the scan refused.
            var refusal = SecretScreening.Describe(screening.Findings);
            logger.IntakeRejected(messageId, refusal);
            await RecordAsync(messageId, rawId, dequeueCount, refusal, spec: null, cancellationToken);
            return IntakeOutcome.DeadLettered;
        }

        spec = spec with { Id = spec.Id ?? "q-" + messageId.Replace("-", string.Empty, StringComparison.Ordinal) };
        // A task from the queue starts its trace here (under the trigger's span, when the worker records one).
        using var span = AgentTelemetry.StartSpan(SpanNames.Intake);
        span?.SetTag(TelemetryTags.TaskId, spec.Id);
        var trace = span is null ? TraceContexts.OfCurrentSpanOrNew() : TraceContext.Of(span.Context, span.TraceStateString);
        var submitted = await engine.SubmitAsync(TaskPlan.Create(spec, roles, workflow) with { Warnings = screening.Warnings, Trace = trace }, cancellationToken);
        switch (submitted.Outcome)
        {
            case SubmitOutcome.Created:
                logger.IntakeStarted(messageId, spec.Id);
                return IntakeOutcome.Started;
            case SubmitOutcome.Identical:
                return IntakeOutcome.Identical;
            default:
                var reason = $"task '{spec.Id}' already exists with a different spec";
                logger.IntakeRejected(messageId, reason);
                await RecordAsync(messageId, spec.Id, dequeueCount, reason, spec, cancellationToken);
                return IntakeOutcome.DeadLettered;
        }
    }

    /// <summary>
    /// A message the runtime moved to <c>agent-tasks-poison</c> after <c>maxDequeueCount</c> failed tries. The copy on
    /// the poison queue starts its own dequeue count (1 on its first delivery), so the record counts the configured
    /// <see cref="IntakeSettings.MaxDequeueCount"/> tries instead.
    /// </summary>
    public async Task ProcessPoisonAsync(string messageId, string body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var (validation, rawId) = Validate(body);
        logger.IntakePoisoned(messageId, rawId ?? "unknown");
        await RecordAsync(
            messageId,
            rawId,
            settings.MaxDequeueCount,
            $"the message on {StorageNames.IntakeQueue} failed all {settings.MaxDequeueCount} tries (maxDequeueCount) and was moved to {StorageNames.IntakePoisonQueue}",
            validation.Spec is { } spec && SecretScreening.ScreenSpec(spec, security.SecretScan).Rejected ? null : validation.Spec,
            cancellationToken);
    }

    private (SpecValidationResult Validation, string? RawId) Validate(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var rawId = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                && Identifiers.IsValidTaskId(id.GetString())
                ? id.GetString()
                : null;
            return (_validator.Validate(root, Encoding.UTF8.GetByteCount(body)), rawId);
        }
        catch (JsonException ex)
        {
            return (SpecValidationResult.Invalid([new FieldError("$", "the message is not JSON: " + ex.Message)]), null);
        }
    }

    private async Task RecordAsync(string messageId, string? taskId, long dequeueCount, string reason, TaskSpec? spec, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var record = new DeadLetterRecord
        {
            // "<taskId>~intake-<messageId>": listed with the task's other dead letters, unique per message.
            Id = ArtifactLayout.DeadLetterId(taskId ?? "queue", DeadLetterRecord.IntakeRole) + "-" + SafeId(messageId),
            TaskId = taskId ?? "queue",
            Role = DeadLetterRecord.IntakeRole,
            Attempts = (int)Math.Clamp(dequeueCount, 1, int.MaxValue),
            Failures = [new AttemptFailure((int)Math.Clamp(dequeueCount, 1, int.MaxValue), now, FailureKind.Permanent, reason)],
            Reason = reason,
            DeadLetteredAt = now,
            Spec = spec,
        };
        await deadLetters.TryCreateAsync(record, cancellationToken);
    }

    private static string SafeId(string messageId)
    {
        var safe = new string(messageId.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_').ToArray());
        return safe.Length == 0 ? "message" : safe.Length <= 64 ? safe : safe[..64];
    }
}
