using AgentFunctions.Api.Engine;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Engine;
using AgentFunctions.Hosting;
using AgentFunctions.Intake;
using AgentFunctions.Orchestration;
using AgentFunctions.Tests.Support;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Moq;

namespace AgentFunctions.Tests.Engine;

public sealed class DurableTaskEngineTests : IDisposable
{
    private readonly TestApp _app = new();
    private readonly List<TaskInput> _started = [];

    public DurableTaskEngineTests()
    {
        // A started instance becomes visible to later reads, as in the real task hub.
        _app.Client.Setup(c => c.ScheduleNewOrchestrationInstanceAsync(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<StartOrchestrationOptions?>(), It.IsAny<CancellationToken>()))
            .Callback((TaskName _, object? input, StartOrchestrationOptions? _, CancellationToken _) =>
            {
                var started = (TaskInput)input!;
                _started.Add(started);
                _app.AddTask(started);
            })
            .ReturnsAsync((TaskName _, object? input, StartOrchestrationOptions? _, CancellationToken _) => ((TaskInput)input!).Id);
    }

    public void Dispose() => _app.Dispose();

    /// <summary>The engine as registered: its task side (<see cref="ITaskEngine"/>) and its dead-letter side in one class.</summary>
    private DurableTaskEngine Engine
    {
        get
        {
            _ = _app.Get<DurableClientAccessor>().Use(_app.Client.Object);
            return Assert.IsType<DurableTaskEngine>(_app.Get<ITaskEngine>());
        }
    }

    [Fact]
    public async Task A_start_that_lost_the_race_to_an_identical_submit_answers_as_the_existing_task()
    {
        var plan = Plan("race-1", context: "the diff");
        LoseTheRaceTo(plan, new OrchestrationAlreadyExists("An Orchestration instance with the ID race-1 already exists."));

        var submitted = await Engine.SubmitAsync(plan, default);

        Assert.Equal(SubmitOutcome.Identical, submitted.Outcome);
    }

    [Fact]
    public async Task A_start_that_lost_the_race_to_another_spec_answers_conflict()
    {
        var plan = Plan("race-2");
        LoseTheRaceTo(plan with { Spec = plan.Spec with { Instructions = "Something else." } }, new OrchestrationAlreadyExists("already exists"));

        var submitted = await Engine.SubmitAsync(plan, default);

        Assert.Equal(SubmitOutcome.Conflict, submitted.Outcome);
    }

    [Fact]
    public async Task A_start_failure_with_no_instance_behind_it_is_not_hidden()
    {
        _app.Client.Setup(c => c.ScheduleNewOrchestrationInstanceAsync(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<StartOrchestrationOptions?>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new OrchestrationAlreadyExists("the sidecar is down"));

        await Assert.ThrowsAsync<OrchestrationAlreadyExists>(() => Engine.SubmitAsync(Plan("race-3"), default));
    }

    [Fact]
    public async Task Resubmitting_with_the_same_context_is_identical_and_with_another_context_conflicts()
    {
        Assert.Equal(SubmitOutcome.Created, (await Engine.SubmitAsync(Plan("ctx-1", context: "version one"), default)).Outcome);

        Assert.Equal(SubmitOutcome.Identical, (await Engine.SubmitAsync(Plan("ctx-1", context: "version one"), default)).Outcome);
        Assert.Equal(SubmitOutcome.Conflict, (await Engine.SubmitAsync(Plan("ctx-1", context: "version two"), default)).Outcome);
        var input = Assert.Single(_started);
        Assert.Null(input.Spec.Context);
        Assert.Equal("version one", _app.Artifacts.Text(ArtifactLayout.Context("ctx-1")));
    }

    [Fact]
    public async Task Replays_are_named_after_the_task_with_the_first_free_number()
    {
        await DeadLetterAsync("t1~review", "t1", "review", TestPlans.Spec("t1", "review", "docs"));
        await DeadLetterAsync("t1~docs", "t1", "docs", TestPlans.Spec("t1", "review", "docs"));

        var first = await Engine.ReplayDeadLetterAsync("t1~review", default);
        var second = await Engine.ReplayDeadLetterAsync("t1~docs", default);

        Assert.Equal((ReplayOutcome.Replayed, "t1.r1"), (first.Outcome, first.TaskId));
        Assert.Equal((ReplayOutcome.Replayed, "t1.r2"), (second.Outcome, second.TaskId)); // t1.r1 is the review replay
        Assert.Equal(["review"], _started[0].Spec.To);
        Assert.Equal(["docs"], _started[1].Spec.To);
        Assert.Equal("t1.r2", _app.DeadLetters.Records["t1~docs"].ReplayedAs);
    }

    [Fact]
    public async Task A_replay_that_started_but_was_not_linked_is_found_again_instead_of_started_twice()
    {
        await DeadLetterAsync("t2~review", "t2", "review", TestPlans.Spec("t2", "review"));
        Assert.Equal("t2.r1", (await Engine.ReplayDeadLetterAsync("t2~review", default)).TaskId);
        _app.DeadLetters.Records["t2~review"] = _app.DeadLetters.Records["t2~review"] with { ReplayedAs = null, ReplayedAt = null };

        var again = await Engine.ReplayDeadLetterAsync("t2~review", default);

        Assert.Equal((ReplayOutcome.Replayed, "t2.r1"), (again.Outcome, again.TaskId));
        Assert.Single(_started);
    }

    [Fact]
    public async Task An_intake_dead_letter_replays_the_whole_stored_spec()
    {
        var spec = TestPlans.Spec("q7") with { To = null, Stages = [["impl"], ["review", "docs"]], Context = "queued context" };
        await DeadLetterAsync("q7~intake-m-1", "q7", DeadLetterRecord.IntakeRole, spec);

        var replay = await Engine.ReplayDeadLetterAsync("q7~intake-m-1", default);

        Assert.Equal((ReplayOutcome.Replayed, "q7.r1"), (replay.Outcome, replay.TaskId));
        var started = Assert.Single(_started);
        Assert.Equal(["impl", "review", "docs"], started.Roles.Select(r => r.Name));
        Assert.Equal("q7~intake-m-1", started.Spec.ReplayOf);
        Assert.Equal("queued context", _app.Artifacts.Text(ArtifactLayout.Context("q7.r1")));
    }

    [Fact]
    public async Task A_task_that_reads_completed_while_its_orchestration_stores_its_records_is_listed_as_completed()
    {
        var plan = Plan("settling-1");
        var succeeded = WorkflowDecider.Apply(WorkflowDecider.Start(plan, TestApp.Start).State,
            new Core.Workflow.Events.RoleSucceeded("review", 1, TestPlans.Result("settling-1", "review")), TestApp.Start).State;
        Assert.Equal(AgentTaskStatus.Completed, succeeded.Status);
        _app.AddTask(plan, OrchestrationRuntimeStatus.Running, succeeded);

        var completed = await Engine.ListAsync(new TaskQuery(AgentTaskStatus.Completed, null, null, 100, null), default);
        var running = await Engine.ListAsync(new TaskQuery(AgentTaskStatus.Running, null, null, 100, null), default);

        Assert.Equal(["settling-1"], completed.Items.Select(t => t.View.Id));
        Assert.Empty(running.Items);
    }

    [Fact]
    public async Task A_purge_in_the_moment_a_task_reads_completed_before_its_runtime_records_the_end_waits_and_purges()
    {
        var plan = Plan("settling-2");
        var succeeded = WorkflowDecider.Apply(WorkflowDecider.Start(plan, TestApp.Start).State,
            new Core.Workflow.Events.RoleSucceeded("review", 1, TestPlans.Result("settling-2", "review")), TestApp.Start).State;
        var instance = _app.AddTask(plan, OrchestrationRuntimeStatus.Running, succeeded);
        _app.Client.Setup(c => c.WaitForInstanceCompletionAsync("settling-2", It.IsAny<bool>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(() => _app.Instances["settling-2"] = new OrchestrationMetadata(instance.Name, instance.InstanceId) { RuntimeStatus = OrchestrationRuntimeStatus.Completed });
        _app.Client.Setup(c => c.PurgeInstanceAsync("settling-2", It.IsAny<PurgeInstanceOptions?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new PurgeResult(1));

        var outcome = await Engine.PurgeAsync("settling-2", default);

        Assert.Equal(PurgeOutcome.Purged, outcome);
        _app.Client.Verify(c => c.PurgeInstanceAsync("settling-2", It.IsAny<PurgeInstanceOptions?>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task A_purge_of_a_task_still_at_work_answers_still_running_without_waiting()
    {
        _app.AddTask(Plan("working-1"));

        var outcome = await Engine.PurgeAsync("working-1", default);

        Assert.Equal(PurgeOutcome.StillRunning, outcome);
        _app.Client.Verify(c => c.WaitForInstanceCompletionAsync(It.IsAny<string>(), It.IsAny<bool>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    private TaskPlan Plan(string id, string? context = null) =>
        TestPlans.Plan(TestPlans.Spec(id, "review") with { Context = context });

    /// <summary>The start fails the way a lost race does, and <paramref name="winner"/> is the instance that now exists.</summary>
    private void LoseTheRaceTo(TaskPlan winner, Exception failure)
    {
        _app.Client.Setup(c => c.ScheduleNewOrchestrationInstanceAsync(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<StartOrchestrationOptions?>(), It.IsAny<CancellationToken>()))
            .Callback(() => _app.AddTask(winner))
            .ThrowsAsync(failure);
    }

    private Task DeadLetterAsync(string id, string taskId, string role, TaskSpec spec) =>
        _app.DeadLetters.TryCreateAsync(new DeadLetterRecord
        {
            Id = id,
            TaskId = taskId,
            Role = role,
            Attempts = 3,
            Failures = [new AttemptFailure(3, TestApp.Start, FailureKind.Transient, "503")],
            Reason = "gave up",
            DeadLetteredAt = TestApp.Start,
            Spec = spec,
        }, default);

    /// <summary>
    /// Stands for the client's "already exists" failure, whose type differs by version (OrchestrationAlreadyExistsException
    /// from DurableTask.Core, or an RpcException): the engine must not depend on the type.
    /// </summary>
    private sealed class OrchestrationAlreadyExists(string message) : Exception(message);
}
