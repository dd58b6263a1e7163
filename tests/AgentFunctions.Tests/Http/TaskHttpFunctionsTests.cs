using System.Text.Json;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Http;
using AgentFunctions.Orchestration;
using AgentFunctions.Tests.Support;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Moq;

namespace AgentFunctions.Tests.Http;

public sealed class TaskHttpFunctionsTests : IDisposable
{
    private const string Spec = """{ "id": "t1", "from": "coordinator", "to": ["review"], "instructions": "Review the change." }""";

    private readonly TestApp _app = new();
    private readonly TaskHttpFunctions _functions;

    public TaskHttpFunctionsTests() => _functions = _app.Create<TaskHttpFunctions>();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Submit_starts_the_orchestration_with_the_task_id_and_answers_202_with_the_management_payload()
    {
        TaskInput? started = null;
        StartOrchestrationOptions? options = null;
        _app.Client.Setup(c => c.ScheduleNewOrchestrationInstanceAsync(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<StartOrchestrationOptions?>(), It.IsAny<CancellationToken>()))
            .Callback((TaskName name, object? input, StartOrchestrationOptions? o, CancellationToken _) =>
            {
                Assert.Equal(OrchestrationNames.AgentTask, name.Name);
                started = Assert.IsType<TaskInput>(input);
                options = o;
            })
            .ReturnsAsync("t1");
        var request = HttpCall.Request("POST", "/api/tasks", Spec);

        var answer = await HttpCall.RunAsync(request, await _functions.SubmitAsync(request, _app.Client.Object, default));

        Assert.Equal(202, answer.Status);
        Assert.Equal("t1", options?.InstanceId);
        Assert.Equal("t1", started?.Id);
        Assert.Equal(["review"], started!.Roles.Select(r => r.Name));
        var body = answer.Json;
        Assert.Equal("t1", body.GetProperty("id").GetString());
        var status = body.GetProperty("statusQueryGetUri").GetString();
        Assert.Equal("https://agents.example.net/runtime/webhooks/durabletask/instances/t1", status);
        Assert.Equal(status, answer.Location);
        Assert.Equal(status + "/raiseEvent/{eventName}", body.GetProperty("sendEventPostUri").GetString());
        Assert.StartsWith(status + "/terminate", body.GetProperty("terminatePostUri").GetString(), StringComparison.Ordinal);
        Assert.Equal(status, body.GetProperty("purgeHistoryDeleteUri").GetString());
        Assert.Equal("https://agents.example.net/api/tasks/t1", body.GetProperty("taskGetUri").GetString());
        Assert.Contains("\"instructions\": \"Review the change.\"", _app.Artifacts.Text("tasks/t1/spec.json"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_identical_resubmission_answers_200_without_starting_again()
    {
        _app.AddTask(TaskPlanFor(Spec));
        var request = HttpCall.Request("POST", "/api/tasks", Spec);

        var answer = await HttpCall.RunAsync(request, await _functions.SubmitAsync(request, _app.Client.Object, default));

        Assert.Equal(200, answer.Status);
        Assert.Equal("t1", answer.Json.GetProperty("id").GetString());
        _app.Client.Verify(c => c.ScheduleNewOrchestrationInstanceAsync(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<StartOrchestrationOptions?>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task The_same_id_with_another_spec_answers_409()
    {
        _app.AddTask(TaskPlanFor(Spec));
        var request = HttpCall.Request("POST", "/api/tasks", Spec.Replace("Review the change.", "Something else.", StringComparison.Ordinal));

        var answer = await HttpCall.RunAsync(request, await _functions.SubmitAsync(request, _app.Client.Object, default));

        Assert.Equal(409, answer.Status);
        Assert.Equal("application/problem+json", answer.ContentType);
        Assert.Contains("already exists with a different spec", answer.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "id": "t1", "to": ["nobody"] }""", "to[0]")]
    [InlineData("""{ "id": "bad id!", "to": ["review"] }""", "id")]
    [InlineData("""[1, 2]""", "$")]
    public async Task An_invalid_spec_answers_400_naming_the_field_and_starts_nothing(string json, string field)
    {
        var request = HttpCall.Request("POST", "/api/tasks", json);

        var answer = await HttpCall.RunAsync(request, await _functions.SubmitAsync(request, _app.Client.Object, default));

        Assert.Equal(400, answer.Status);
        Assert.Contains(field, answer.Body, StringComparison.Ordinal);
        _app.Client.Verify(c => c.ScheduleNewOrchestrationInstanceAsync(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<StartOrchestrationOptions?>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task An_empty_submit_answers_400()
    {
        var request = HttpCall.Request("POST", "/api/tasks");

        var answer = await HttpCall.RunAsync(request, await _functions.SubmitAsync(request, _app.Client.Object, default));

        Assert.Equal(400, answer.Status);
    }

    [Fact]
    public async Task Reading_an_unknown_task_answers_404()
    {
        var request = HttpCall.Request("GET", "/api/tasks/nope");

        Assert.Equal(404, (await HttpCall.RunAsync(request, await _functions.GetAsync(request, "nope", _app.Client.Object, default))).Status);
        var approve = HttpCall.Request("POST", "/api/tasks/nope/approve", "{}");
        Assert.Equal(404, (await HttpCall.RunAsync(approve, await _functions.ApproveAsync(approve, "nope", _app.Client.Object, default))).Status);
        var result = HttpCall.Request("GET", "/api/tasks/nope/result");
        Assert.Equal(404, (await HttpCall.RunAsync(result, await _functions.GetResultAsync(result, "nope", _app.Client.Object, default))).Status);
    }

    [Fact]
    public async Task Reading_a_task_answers_its_view_from_the_custom_status()
    {
        _app.AddTask(TaskPlanFor(Spec));
        var request = HttpCall.Request("GET", "/api/tasks/t1");

        var answer = await HttpCall.RunAsync(request, await _functions.GetAsync(request, "t1", _app.Client.Object, default));

        Assert.Equal(200, answer.Status);
        Assert.Equal("accepted", answer.Json.GetProperty("state").GetString());
        Assert.Equal("review", answer.Json.GetProperty("roles")[0].GetProperty("role").GetString());
        Assert.Equal("https://agents.example.net/api/tasks/t1", answer.Json.GetProperty("links").GetProperty("self").GetString());
    }

    [Fact]
    public async Task Approve_raises_the_approval_event_with_the_decision_payload()
    {
        _app.AddTask(TaskPlanFor(Spec.Replace("\"to\"", "\"requiresApproval\": true, \"to\"", StringComparison.Ordinal)));
        object? payload = null;
        _app.Client.Setup(c => c.RaiseEventAsync("t1", OrchestrationEvents.Approval, It.IsAny<object?>(), It.IsAny<CancellationToken>()))
            .Callback((string _, string _, object? p, CancellationToken _) => payload = p)
            .Returns(Task.CompletedTask);
        var request = HttpCall.Request("POST", "/api/tasks/t1/approve", """{ "by": "ana", "note": "ship it" }""");

        var answer = await HttpCall.RunAsync(request, await _functions.ApproveAsync(request, "t1", _app.Client.Object, default));

        Assert.Equal(202, answer.Status);
        Assert.Equal(new ApprovalEventPayload("approve", "ana", "ship it", null), payload);
        Assert.Equal("""{"decision":"approve","by":"ana","note":"ship it","role":null}""", JsonSerializer.Serialize(payload, CoreJson.Options));
    }

    [Fact]
    public async Task Reject_of_a_role_raises_approval_with_decision_reject_and_the_role()
    {
        var plan = TaskPlanFor(Spec);
        var state = WorkflowDecider.Apply(WorkflowDecider.Start(plan, TestApp.Start).State,
            new Core.Workflow.Events.RoleNeedsApproval("review", 1, TestPlans.Result("t1", "review")), TestApp.Start).State;
        _app.AddTask(plan, state: state);
        object? payload = null;
        _app.Client.Setup(c => c.RaiseEventAsync("t1", OrchestrationEvents.Approval, It.IsAny<object?>(), It.IsAny<CancellationToken>()))
            .Callback((string _, string _, object? p, CancellationToken _) => payload = p)
            .Returns(Task.CompletedTask);
        var request = HttpCall.Request("POST", "/api/tasks/t1/reject", """{ "by": "lead", "reason": "wrong file", "role": "review" }""");

        var answer = await HttpCall.RunAsync(request, await _functions.RejectAsync(request, "t1", _app.Client.Object, default));

        Assert.Equal(202, answer.Status);
        Assert.Equal(new ApprovalEventPayload("reject", "lead", "wrong file", "review"), payload);
    }

    [Fact]
    public async Task Cancel_raises_the_cancel_event_with_who_and_why()
    {
        _app.AddTask(TaskPlanFor(Spec));
        object? payload = null;
        _app.Client.Setup(c => c.RaiseEventAsync("t1", OrchestrationEvents.Cancel, It.IsAny<object?>(), It.IsAny<CancellationToken>()))
            .Callback((string _, string _, object? p, CancellationToken _) => payload = p)
            .Returns(Task.CompletedTask);
        var request = HttpCall.Request("POST", "/api/tasks/t1/cancel", """{ "by": "ana", "reason": "superseded" }""");

        var answer = await HttpCall.RunAsync(request, await _functions.CancelAsync(request, "t1", _app.Client.Object, default));

        Assert.Equal(202, answer.Status);
        Assert.Equal(new CancelEventPayload("ana", "superseded"), payload);
    }

    [Fact]
    public async Task Deciding_on_a_task_that_ended_answers_409_and_raises_nothing()
    {
        var plan = TaskPlanFor(Spec);
        var ended = WorkflowDecider.Apply(WorkflowDecider.Start(plan, TestApp.Start).State, new Core.Workflow.Events.CancelRequested("ana", "stop"), TestApp.Start).State;
        _app.AddTask(plan, OrchestrationRuntimeStatus.Failed, ended);
        var request = HttpCall.Request("POST", "/api/tasks/t1/cancel", "{}");

        var answer = await HttpCall.RunAsync(request, await _functions.CancelAsync(request, "t1", _app.Client.Object, default));

        Assert.Equal(409, answer.Status);
        _app.Client.Verify(c => c.RaiseEventAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<object?>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task The_result_of_a_task_that_ended_is_read_back_even_though_its_orchestration_failed()
    {
        var plan = TaskPlanFor(Spec);
        var ended = WorkflowDecider.Apply(WorkflowDecider.Start(plan, TestApp.Start).State, new Core.Workflow.Events.CancelRequested("ana", "stop"), TestApp.Start).State;
        _app.AddTask(plan, OrchestrationRuntimeStatus.Failed, ended);
        var request = HttpCall.Request("GET", "/api/tasks/t1/result");

        var answer = await HttpCall.RunAsync(request, await _functions.GetResultAsync(request, "t1", _app.Client.Object, default));

        Assert.Equal(200, answer.Status);
        Assert.Equal("canceled", answer.Json.GetProperty("state").GetString());
        Assert.Equal("stop", answer.Json.GetProperty("outcome").GetProperty("reason").GetString());
    }

    private TaskPlan TaskPlanFor(string json)
    {
        var api = _app.Get<AgentFunctions.Api.Http.ApiDependencies>();
        using var document = JsonDocument.Parse(json);
        var validation = api.Validator.Validate(document.RootElement);
        Assert.True(validation.IsValid, string.Join("; ", validation.Errors));
        return TaskPlan.Create(validation.Spec!, api.Roles, api.Workflow);
    }
}
