using System.Globalization;
using System.Text;
using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Telemetry;
using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Core.Storage;

/// <summary>
/// The one rule for replaying a dead letter, which both engines follow. A replay is a new task for the
/// dead-lettered role alone (same instructions, payload and context, and for a role of a later stage the results of
/// the stages before it, <c>replayOf</c> set), or for a record of the
/// queue intake the whole spec it stored. It is named <c>&lt;taskId&gt;.r&lt;n&gt;</c> (the task id cut to
/// <see cref="MaxBaseLength"/> characters so the name stays a valid id) with the first <c>n</c> up to
/// <see cref="MaxNumber"/> that no other task holds; a task that already holds the name with the same spec is this
/// replay, started but not yet linked (by a concurrent request, or before a crash): the engine links the record to it
/// and refuses this request as already replayed. The engine tries <see cref="ReplayCandidates.Plans"/> in
/// order and links the record to the task it starts or finds.
/// </summary>
public sealed class DeadLetterReplay(RoleCatalog roles, TaskLimits limits, WorkflowOptions workflow)
{
    /// <summary>The longest part of the task id a replay's name keeps: with ".r1000" it stays within <see cref="Identifiers.MaxTaskIdLength"/>.</summary>
    public const int MaxBaseLength = 90;

    /// <summary>Replays of one task are numbered up to this; a dead letter whose names are all taken is refused rather than tried forever.</summary>
    public const int MaxNumber = 1000;

    private readonly TaskSpecValidator _validator = new(roles, limits);

    /// <summary>
    /// Whether <paramref name="record"/> can be replayed, and the tasks to try when it can. Its context is the one the
    /// record's spec carries or, where the record keeps it out (the Functions app), the task's stored
    /// <c>context.md</c> in <paramref name="artifacts"/>.
    /// </summary>
    public async Task<ReplayCandidates> PrepareAsync(DeadLetterRecord record, IArtifactStore artifacts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(artifacts);
        if (record.ReplayedAs is { } replayedAs)
        {
            return ReplayCandidates.Refused(AlreadyReplayed(record.Id, replayedAs), replayedAs);
        }

        if (record.Spec is not { } original)
        {
            // Only the intake writes a record without a spec: for a message that never was a valid one.
            return ReplayCandidates.Refused($"dead letter '{record.Id}' has no task spec to replay (it was rejected at intake)");
        }

        TaskSpec spec;
        if (record.Role == DeadLetterRecord.IntakeRole)
        {
            // The intake never started this task: the whole spec it stored (context included) runs now.
            spec = original with { ReplayOf = record.Id };
        }
        else
        {
            if (!roles.Contains(record.Role))
            {
                return ReplayCandidates.Refused($"dead letter '{record.Id}' cannot be replayed: role '{record.Role}' is no longer configured");
            }

            var context = original.Context ?? await artifacts.ReadTextAsync(ArtifactLayout.Context(record.TaskId), cancellationToken);
            var stage = StageOf(original, record.Role);
            context = await WithEarlierResultsAsync(context, record, original, stage, artifacts, cancellationToken);
            // The role runs alone: what its stage required of a runner becomes the task's requirement.
            var requires = original.StageRequires is null ? original.Requires : original.RequirementsOf(stage);
            spec = original with { To = [record.Role], Stages = null, StageRequires = null, Requires = requires is { Count: > 0 } ? requires : null, Context = context, ReplayOf = record.Id };
        }

        var baseId = record.TaskId.Length > MaxBaseLength ? record.TaskId[..MaxBaseLength] : record.TaskId;
        var validation = _validator.Validate(spec with { Id = Name(baseId, MaxNumber) });
        if (!validation.IsValid)
        {
            return ReplayCandidates.Refused($"dead letter '{record.Id}' cannot be replayed: its spec is no longer valid: {string.Join("; ", validation.Errors)}");
        }

        var valid = validation.Spec!;

        // The new task's trace starts under the replay's span (the API starts one around the replay).
        var trace = TraceContexts.OfCurrentSpanOrNew();
        return new ReplayCandidates(
            Enumerable.Range(1, MaxNumber).Select(n => TaskPlan.Create(valid with { Id = Name(baseId, n) }, roles, workflow) with { Trace = trace }),
            $"dead letter '{record.Id}' cannot be replayed: task ids {Name(baseId, 1)} to {Name(baseId, MaxNumber)} are all taken");
    }

    /// <summary>
    /// A role of a later stage worked from the results of the stages before it; its replay runs alone, so those
    /// results travel in its context, under the heading the prompt gives them, each with the artifact it came from.
    /// Texts that would take the context past its limit are left as references.
    /// </summary>
    private async Task<string?> WithEarlierResultsAsync(string? context, DeadLetterRecord record, TaskSpec original, int stageIndex, IArtifactStore artifacts, CancellationToken cancellationToken)
    {
        if (original.Stages is not { } stages || stageIndex <= 0)
        {
            return context;
        }

        var section = new StringBuilder();
        section.Append(CultureInfo.InvariantCulture, $"## Results of earlier stages (of task {record.TaskId})\n");
        // Bytes the context may still take (the "\n\n" before the section included); ids, roles and paths are ASCII.
        var room = limits.MaxContextBytes - Encoding.UTF8.GetByteCount(context ?? string.Empty) - 2 - section.Length;
        for (var s = 0; s < stageIndex; s++)
        {
            foreach (var role in stages[s])
            {
                var path = ArtifactLayout.ResultMarkdown(record.TaskId, role);
                var heading = string.Create(CultureInfo.InvariantCulture, $"\n### {role} (stage {s + 1})\n\nResult artifact: `{path}`\n");
                section.Append(heading);
                room -= heading.Length;
                var text = (await artifacts.ReadTextAsync(path, cancellationToken))?.TrimEnd();
                var bytes = string.IsNullOrEmpty(text) ? 0 : Encoding.UTF8.GetByteCount(text) + 2;
                if (bytes > 0 && bytes <= room)
                {
                    room -= bytes;
                    section.Append('\n').Append(text).Append('\n');
                }
            }
        }

        return string.IsNullOrWhiteSpace(context) ? section.ToString() : context.TrimEnd() + "\n\n" + section;
    }

    /// <summary>The index of the stage that holds <paramref name="role"/> (0 for a task without stages).</summary>
    private static int StageOf(TaskSpec spec, string role)
    {
        var stages = spec.EffectiveStages();
        for (var i = 0; i < stages.Count; i++)
        {
            if (stages[i].Contains(role, StringComparer.Ordinal))
            {
                return i;
            }
        }

        return 0;
    }

    /// <summary>
    /// Why a replay is refused once the record has a replay: linked already, or started by a concurrent request (or
    /// before a crash) and about to be linked. Only the request that started the task answers 202.
    /// </summary>
    public static string AlreadyReplayed(string recordId, string taskId) => $"dead letter '{recordId}' was already replayed as task '{taskId}'";

    private static string Name(string baseId, int number) => string.Create(CultureInfo.InvariantCulture, $"{baseId}.r{number}");
}
