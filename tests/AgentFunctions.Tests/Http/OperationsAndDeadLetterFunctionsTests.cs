using AgentFunctions.Core.Json;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Events;
using AgentFunctions.Hosting;
using AgentFunctions.Http;
using AgentFunctions.Orchestration;
using AgentFunctions.Tests.Support;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Moq;

namespace AgentFunctions.Tests.Http;

public sealed class OperationsAndDeadLetterFunctionsTests : IDisposable
{
    private readonly TestApp _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Metrics_count_task_and_role_states_from_instances_and_queue_depth_per_remote_role()
    {
        var plan = TestPlans.Plan(TestPlans.Spec("t1", "review", "worker"));
        var otherPlan = TestPlans.Plan(TestPlans.Spec("t2", "review"));
        var failed = WorkflowDecider.Apply(WorkflowDecider.Start(otherPlan, TestApp.Start).State, new RoleFailedFinally("review", 3, [new AttemptFailure(3, TestApp.Start, FailureKind.Transient, "503")]), TestApp.Start).State;
        _app.AddTask(plan);
        _app.AddTask(otherPlan, OrchestrationRuntimeStatus.Failed, failed);
        _app.AddRemoteRole("t1", "worker", 1);
        _app.WorkQueue("worker").Setup(q => q.GetPropertiesAsync(It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response.FromValue(QueuesModelFactory.QueueProperties(new Dictionary<string, string>(), 2), Mock.Of<Response>()));
        _app.WorkQueue("worker").Setup(q => q.PeekMessageAsync(It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response.FromValue(QueuesModelFactory.PeekedMessage("m-1", "{}", 1, TestApp.Start.AddSeconds(-90)), Mock.Of<Response>()));
        var request = HttpCall.Request("GET", "/api/metrics");

        var answer = await HttpCall.RunAsync(request, await _app.Create<OperationsHttpFunctions>().MetricsAsync(request, _app.Client.Object, default));

        Assert.Equal(200, answer.Status);
        var body = answer.Json;
        Assert.Equal("durable", body.GetProperty("engine").GetString());
        Assert.Equal(1, body.GetProperty("tasks").GetProperty("accepted").GetInt64());
        Assert.Equal(1, body.GetProperty("tasks").GetProperty("failed").GetInt64());
        Assert.Equal(1, body.GetProperty("deadLettered").GetInt64());
        var worker = body.GetProperty("roles").EnumerateArray().Single(r => r.GetProperty("role").GetString() == "worker");
        Assert.Equal(2, worker.GetProperty("queueDepth").GetInt32());
        Assert.Equal(90, worker.GetProperty("oldestWaitingSeconds").GetDouble());

        // Only names and custom statuses were needed: no instance input or output was fetched.
        Assert.NotEmpty(_app.Queries);
        Assert.All(_app.Queries, q => Assert.False(q?.FetchInputsAndOutputs));
    }

    [Fact]
    public async Task Metrics_report_latency_percentiles_per_role_from_the_role_run_times()
    {
        // review ran 4 s, 10 s and 20 s (the last one dead-lettered); a result held an hour for a person does not count.
        AddFinishedReview("a", TimeSpan.FromSeconds(4));
        AddFinishedReview("b", TimeSpan.FromSeconds(10));
        var deadLettered = TestPlans.Plan(TestPlans.Spec("c", "review"));
        var state = WorkflowDecider.Apply(WorkflowDecider.Start(deadLettered, TestApp.Start).State, new RoleAttemptStarted("review", 1), TestApp.Start).State;
        state = WorkflowDecider.Apply(state, new RoleFailedFinally("review", 3, [new AttemptFailure(3, TestApp.Start, FailureKind.Transient, "503")]), TestApp.Start.AddSeconds(20)).State;
        _app.AddTask(deadLettered, OrchestrationRuntimeStatus.Failed, state);
        var held = TestPlans.Plan(TestPlans.Spec("d", "review"));
        state = WorkflowDecider.Apply(WorkflowDecider.Start(held, TestApp.Start).State, new RoleAttemptStarted("review", 1), TestApp.Start).State;
        state = WorkflowDecider.Apply(state, new RoleNeedsApproval("review", 1, TestPlans.Result("d", "review")), TestApp.Start.AddSeconds(1)).State;
        state = WorkflowDecider.Apply(state, new ApprovalDecided(ApprovalDecision.Approve, "ana", null, "review"), TestApp.Start.AddHours(1)).State;
        _app.AddTask(held, OrchestrationRuntimeStatus.Completed, state);
        _app.WorkQueue("worker").Setup(q => q.GetPropertiesAsync(It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response.FromValue(QueuesModelFactory.QueueProperties(new Dictionary<string, string>(), 0), Mock.Of<Response>()));
        var request = HttpCall.Request("GET", "/api/metrics");

        var answer = await HttpCall.RunAsync(request, await _app.Create<OperationsHttpFunctions>().MetricsAsync(request, _app.Client.Object, default));

        var review = answer.Json.GetProperty("roles").EnumerateArray().Single(r => r.GetProperty("role").GetString() == "review");
        var latency = review.GetProperty("attemptLatencyMs");
        Assert.Equal(3, latency.GetProperty("count").GetInt64());
        Assert.Equal(10_000, latency.GetProperty("p50").GetDouble());
        Assert.Equal(20_000, latency.GetProperty("p95").GetDouble());
        Assert.Equal(20_000, latency.GetProperty("p99").GetDouble());
        var docs = answer.Json.GetProperty("roles").EnumerateArray().Single(r => r.GetProperty("role").GetString() == "docs");
        Assert.Equal(0, docs.GetProperty("attemptLatencyMs").GetProperty("count").GetInt64());
    }

    private void AddFinishedReview(string id, TimeSpan took)
    {
        var plan = TestPlans.Plan(TestPlans.Spec(id, "review"));
        var state = WorkflowDecider.Apply(WorkflowDecider.Start(plan, TestApp.Start).State, new RoleAttemptStarted("review", 1), TestApp.Start).State;
        state = WorkflowDecider.Apply(state, new RoleSucceeded("review", 1, TestPlans.Result(id, "review")), TestApp.Start + took).State;
        _app.AddTask(plan, OrchestrationRuntimeStatus.Completed, state);
    }

    [Fact]
    public async Task Replaying_a_dead_letter_starts_a_task_for_its_role_and_links_both_ways()
    {
        var spec = TestPlans.Spec("t1", "review", "docs") with { Context = null };
        _app.Artifacts.Files[ArtifactLayout.Context("t1")] = ("The diff."u8.ToArray(), ArtifactContentTypes.Markdown);
        await _app.DeadLetters.TryCreateAsync(new DeadLetterRecord
        {
            Id = "t1~review",
            TaskId = "t1",
            Role = "review",
            Attempts = 3,
            Reason = "gave up",
            DeadLetteredAt = TestApp.Start,
            Spec = spec,
        }, default);
        TaskInput? started = null;
        _app.Client.Setup(c => c.ScheduleNewOrchestrationInstanceAsync(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<StartOrchestrationOptions?>(), It.IsAny<CancellationToken>()))
            .Callback((TaskName _, object? input, StartOrchestrationOptions? _, CancellationToken _) => started = (TaskInput)input!)
            .ReturnsAsync("x");
        var request = HttpCall.Request("POST", "/api/deadletters/t1~review/replay");

        var answer = await HttpCall.RunAsync(request, await _app.Create<DeadLetterHttpFunctions>().ReplayAsync(request, "t1~review", _app.Client.Object, default));

        Assert.Equal(202, answer.Status);
        Assert.NotNull(started);
        Assert.Equal("t1.r1", started.Id);
        Assert.Equal(["review"], started.Spec.To);
        Assert.Equal("t1~review", started.Spec.ReplayOf);
        Assert.Equal("tasks/t1.r1/context.md", started.ContextRef);
        Assert.Equal("The diff.", _app.Artifacts.Text("tasks/t1.r1/context.md"));
        Assert.Equal(started.Id, _app.DeadLetters.Records["t1~review"].ReplayedAs);
        Assert.Equal(started.Id, answer.Json.GetProperty("taskId").GetString());

        var again = HttpCall.Request("POST", "/api/deadletters/t1~review/replay");
        Assert.Equal(409, (await HttpCall.RunAsync(again, await _app.Create<DeadLetterHttpFunctions>().ReplayAsync(again, "t1~review", _app.Client.Object, default))).Status);
    }

    [Fact]
    public async Task Listing_tasks_reads_one_page_of_task_instances_and_skips_sub_orchestrations()
    {
        var first = _app.AddTask(TestPlans.Plan(TestPlans.Spec("t1", "review")));
        _app.AddRemoteRole("t1", "worker", 1);
        OrchestrationQuery? asked = null;
        _app.Client.Setup(c => c.GetAllInstancesAsync(It.IsAny<OrchestrationQuery?>()))
            .Callback((OrchestrationQuery? q) => asked = q)
            .Returns(Pageable.Create((string? _, CancellationToken _) => Task.FromResult(new Microsoft.DurableTask.Page<OrchestrationMetadata>([first, _app.Instances["t1:worker"]], "more"))));
        var request = HttpCall.Request("GET", "/api/tasks", query: "?top=5");

        var answer = await HttpCall.RunAsync(request, await _app.Create<TaskHttpFunctions>().ListAsync(request, _app.Client.Object, default));

        Assert.Equal(200, answer.Status);
        Assert.Equal(["t1"], answer.Json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.Equal("more", answer.Json.GetProperty("continuationToken").GetString());
        Assert.Equal(5, asked?.PageSize);
        Assert.True(asked?.FetchInputsAndOutputs);
    }
}
