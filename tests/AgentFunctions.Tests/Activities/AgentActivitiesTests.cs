using System.Text.Json;
using AgentFunctions.Activities;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Prompts;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Storage;
using AgentFunctions.Orchestration;
using AgentFunctions.Tests.Support;
using Azure;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Moq;

namespace AgentFunctions.Tests.Activities;

/// <summary>Activities receive attempts without their context and prompt and fill them in from the artifact store.</summary>
public sealed class AgentActivitiesTests : IDisposable
{
    private readonly TestApp _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task A_role_attempt_runs_with_the_context_read_from_its_artifact_and_the_prompt_built_from_it()
    {
        _app.Artifacts.Files[ArtifactLayout.Context("t1")] = ("The diff to review."u8.ToArray(), ArtifactContentTypes.Markdown);

        // The echo runner answers with the prompt it was given.
        var outcome = await _app.Create<AgentActivities>().RunRoleAttemptAsync(new RoleAttemptRequest(Slim("review", 1)), Mock.Of<FunctionContext>());

        var result = _app.Artifacts.Text(outcome.Result!.ResultRef!);
        Assert.Contains("The diff to review.", result, StringComparison.Ordinal);
        Assert.Contains("attempt 1 of 3", result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_remote_dispatch_stores_the_whole_envelope_of_that_attempt_and_enqueues_a_small_message()
    {
        _app.Artifacts.Files[ArtifactLayout.Context("t1")] = ("The diff to review."u8.ToArray(), ArtifactContentTypes.Markdown);
        string? sent = null;
        _app.WorkQueue("worker").Setup(q => q.SendMessageAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Callback((string body, CancellationToken _) => sent = body)
            .ReturnsAsync(Response.FromValue(QueuesModelFactory.SendReceipt("m-1", TestApp.Start, TestApp.Start.AddDays(7), "pop-1", TestApp.Start), Mock.Of<Response>()));

        await _app.Create<AgentActivities>().DispatchRemoteAttemptAsync(
            new RemoteWorkItem("t1", "worker", 2, "t1:worker", 30, Slim("worker", 1)), Mock.Of<FunctionContext>());

        var envelope = JsonSerializer.Deserialize<AgentAttempt>(_app.Artifacts.Text(RemotePaths.Envelope("t1", "worker", 2)), CoreJson.Options)!;
        Assert.Equal(2, envelope.Attempt);
        Assert.Equal("The diff to review.", envelope.Context);
        Assert.Equal(PromptBuilder.Build(envelope with { Prompt = string.Empty }), envelope.Prompt);
        Assert.Contains("attempt 2 of 3", envelope.Prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("The diff", sent, StringComparison.Ordinal);
    }

    private static AgentAttempt Slim(string role, int attempt) => new()
    {
        TaskId = "t1",
        Role = role,
        Attempt = attempt,
        MaxAttempts = 3,
        Type = "task",
        Instructions = "Review the change.",
        ContextRef = ArtifactLayout.Context("t1"),
        Prompt = string.Empty,
    };
}
