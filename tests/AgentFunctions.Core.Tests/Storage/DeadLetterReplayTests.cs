using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Tasks;
using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Core.Tests.Storage;

/// <summary>The one replay rule both engines follow, against a real artifact store on disk.</summary>
public sealed class DeadLetterReplayTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private readonly TestDirectory _dir = new();
    private readonly FileSystemArtifactStore _artifacts;
    private readonly DeadLetterReplay _replay;

    public DeadLetterReplayTests()
    {
        _artifacts = new FileSystemArtifactStore(_dir.Root);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Roles:implementation:Runner"] = "echo",
            ["Roles:review:Runner"] = "echo",
        }).Build();
        _replay = new DeadLetterReplay(CoreConfiguration.LoadRoles(configuration), new TaskLimits(), new WorkflowOptions());
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_replay_is_the_dead_lettered_role_alone_with_the_stored_context_named_r1_onwards()
    {
        await _artifacts.WriteTextAsync(ArtifactLayout.Context("t1"), "# the diff");
        var record = Record("t1", "review", new TaskSpec { Id = "t1", To = ["implementation", "review"], Instructions = "Check it." });

        var candidates = await _replay.PrepareAsync(record, _artifacts, default);

        Assert.Null(candidates.Refusal);
        var plans = candidates.Plans.Take(3).ToList();
        Assert.Equal(["t1.r1", "t1.r2", "t1.r3"], plans.Select(p => p.Id));
        var spec = plans[0].Spec;
        Assert.Equal(["review"], spec.To);
        Assert.Null(spec.Stages);
        Assert.Equal("Check it.", spec.Instructions);
        Assert.Equal("# the diff", spec.Context);
        Assert.Equal("t1~review", spec.ReplayOf);
    }

    [Fact]
    public async Task A_later_stage_role_is_replayed_with_the_earlier_stages_results_and_its_stages_requirements()
    {
        await _artifacts.WriteTextAsync(ArtifactLayout.Context("t2"), "# the issue");
        await _artifacts.WriteTextAsync(ArtifactLayout.ResultMarkdown("t2", "implementation"), "# Patch\n\nChanged login.py\n");
        var record = Record("t2", "review", new TaskSpec
        {
            Id = "t2",
            Stages = [["implementation"], ["review"]],
            StageRequires = [[], ["gpu"]],
            Requires = ["database"],
            Instructions = "Ship it.",
        });

        var spec = (await _replay.PrepareAsync(record, _artifacts, default)).Plans.First().Spec;

        Assert.Equal(["review"], spec.To);
        Assert.Null(spec.StageRequires);
        Assert.Equal(["database", "gpu"], spec.Requires);
        Assert.Equal(
            "# the issue\n\n## Results of earlier stages (of task t2)\n\n### implementation (stage 1)\n\nResult artifact: `tasks/t2/results/implementation.md`\n\n# Patch\n\nChanged login.py\n",
            spec.Context);
    }

    [Fact]
    public async Task A_first_stage_role_is_replayed_with_the_context_alone()
    {
        await _artifacts.WriteTextAsync(ArtifactLayout.Context("t3"), "# the issue");
        var record = Record("t3", "implementation", new TaskSpec { Id = "t3", Stages = [["implementation"], ["review"]], Instructions = "Ship it." });

        var spec = (await _replay.PrepareAsync(record, _artifacts, default)).Plans.First().Spec;

        Assert.Equal("# the issue", spec.Context);
    }

    [Fact]
    public async Task Names_are_bounded_at_r1000_and_a_long_task_id_is_cut_so_they_stay_valid_ids()
    {
        var longId = new string('a', Identifiers.MaxTaskIdLength);
        var record = Record(longId, "review", new TaskSpec { Id = longId, To = ["review"], Instructions = "x", Context = "inline" });

        var candidates = await _replay.PrepareAsync(record, _artifacts, default);

        var ids = candidates.Plans.Select(p => p.Id).ToList();
        Assert.Equal(DeadLetterReplay.MaxNumber, ids.Count);
        Assert.Equal(new string('a', DeadLetterReplay.MaxBaseLength) + ".r1", ids[0]);
        Assert.Equal(new string('a', DeadLetterReplay.MaxBaseLength) + ".r1000", ids[^1]);
        Assert.All(ids, id => Assert.True(Identifiers.IsValidTaskId(id), id));
        Assert.Equal($"dead letter '{record.Id}' cannot be replayed: task ids {ids[0]} to {ids[^1]} are all taken", candidates.AllTaken);
        Assert.Equal("inline", candidates.Plans.First().Spec.Context);
    }

    [Fact]
    public async Task An_intake_record_replays_its_whole_spec()
    {
        var spec = new TaskSpec { Id = "q7", To = ["implementation", "review"], Instructions = "x", Context = "from the queue" };
        var record = Record("q7", DeadLetterRecord.IntakeRole, spec);

        var plan = (await _replay.PrepareAsync(record, _artifacts, default)).Plans.First();

        Assert.Equal("q7.r1", plan.Id);
        Assert.Equal(["implementation", "review"], plan.Spec.To);
        Assert.Equal("from the queue", plan.Spec.Context);
        Assert.Equal(record.Id, plan.Spec.ReplayOf);
    }

    [Fact]
    public async Task A_record_is_refused_when_already_replayed_without_a_spec_for_a_role_no_longer_configured_or_with_a_spec_no_longer_valid()
    {
        var spec = new TaskSpec { Id = "t1", To = ["review"], Instructions = "x" };

        var replayed = await _replay.PrepareAsync(Record("t1", "review", spec) with { ReplayedAs = "t1.r1" }, _artifacts, default);
        var noSpec = await _replay.PrepareAsync(Record("t2", DeadLetterRecord.IntakeRole, null), _artifacts, default);
        var gone = await _replay.PrepareAsync(Record("t3", "docs", spec with { Id = "t3", To = ["docs"] }), _artifacts, default);
        var invalid = await _replay.PrepareAsync(Record("t4", "review", spec with { Id = "t4", Instructions = " " }), _artifacts, default);

        Assert.Equal("dead letter 't1~review' was already replayed as task 't1.r1'", replayed.Refusal);
        Assert.Equal("t1.r1", replayed.ReplayedAs);
        Assert.Equal("dead letter 't2~intake' has no task spec to replay (it was rejected at intake)", noSpec.Refusal);
        Assert.Equal("dead letter 't3~docs' cannot be replayed: role 'docs' is no longer configured", gone.Refusal);
        Assert.StartsWith("dead letter 't4~review' cannot be replayed: its spec is no longer valid: instructions", invalid.Refusal, StringComparison.Ordinal);
        Assert.All([replayed, noSpec, gone, invalid], refused => Assert.Empty(refused.Plans));
    }

    private static DeadLetterRecord Record(string taskId, string role, TaskSpec? spec) => new()
    {
        Id = $"{taskId}~{role}",
        TaskId = taskId,
        Role = role,
        Attempts = 3,
        Reason = "gave up",
        DeadLetteredAt = At,
        Spec = spec,
    };
}
