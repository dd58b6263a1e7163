using System.Text.Json;
using AgentFunctions.Api;
using AgentFunctions.Api.Http;
using AgentFunctions.Hosting;
using AgentFunctions.Http;
using AgentFunctions.Tests.Support;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Moq;

namespace AgentFunctions.Tests.Http;

/// <summary>
/// An exception inside an HTTP trigger becomes the problem+json answer the Standalone server gives for it, never the
/// Functions host's bare 500.
/// </summary>
public sealed class ProblemAnswerTests : IDisposable
{
    private readonly TestApp _app = new();
    private readonly RecordingLogger<HttpTriggerRunner> _log = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task A_failure_inside_a_trigger_is_500_problem_json_with_a_trace_id_and_is_logged()
    {
        _app.Client.Setup(c => c.GetInstancesAsync("t1", It.IsAny<bool>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new InvalidOperationException("the task hub's storage refused the connection (secret-ish detail)"));
        var request = HttpCall.Request("GET", "/api/tasks/t1");
        request.HttpContext.TraceIdentifier = "trace-42";

        var answer = await HttpCall.RunAsync(request, await Functions<TaskHttpFunctions>().GetAsync(request, "t1", _app.Client.Object, default));

        Assert.Equal(500, answer.Status);
        Assert.Equal("application/problem+json", answer.ContentType);
        var body = answer.Json;
        Assert.Equal(500, body.GetProperty("status").GetInt32());
        Assert.Equal("Internal Server Error", body.GetProperty("title").GetString());
        Assert.Contains("GET /api/tasks/t1", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("trace-42", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("trace-42", body.GetProperty("traceId").GetString());
        Assert.DoesNotContain("secret-ish", answer.Body, StringComparison.Ordinal); // the message stays in the log
        var logged = Assert.Single(_log.Entries);
        Assert.Equal((LogLevel.Error, 5701), (logged.Level, logged.EventId.Id));
        Assert.IsType<InvalidOperationException>(logged.Exception);
        Assert.Null(_app.Get<DurableClientAccessor>().TryGetCurrent()); // the client's scope closed all the same
    }

    [Fact]
    public async Task A_body_the_server_could_not_read_keeps_its_status_and_says_why()
    {
        var request = HttpCall.Request("POST", "/api/tasks", "{}");
        request.ContentLength = null;
        request.Body = new UnreadableBody(new BadHttpRequestException("Request body too large. The max request body size is 30000000 bytes.", 413));

        var answer = await HttpCall.RunAsync(request, await Functions<TaskHttpFunctions>().SubmitAsync(request, _app.Client.Object, default));

        Assert.Equal(413, answer.Status);
        Assert.Equal("application/problem+json", answer.ContentType);
        Assert.Equal("Payload Too Large", answer.Json.GetProperty("title").GetString());
        Assert.Equal("Request body too large. The max request body size is 30000000 bytes.", answer.Json.GetProperty("detail").GetString());
        Assert.Equal(LogLevel.Information, Assert.Single(_log.Entries).Level);
    }

    [Fact]
    public async Task A_caller_that_went_away_is_not_answered_with_a_problem()
    {
        using var aborted = new CancellationTokenSource();
        var request = HttpCall.Request("POST", "/api/workers/worker/lease", "{}");
        request.HttpContext.RequestAborted = aborted.Token;
        await aborted.CancelAsync();

        var answer = await HttpCall.RunAsync(request, await Functions<WorkerHttpFunctions>().LeaseAsync(request, "worker", _app.Client.Object, aborted.Token));

        Assert.Equal(499, answer.Status);
        Assert.Empty(answer.Body);
        Assert.Empty(_log.Entries);
    }

    [Fact]
    public async Task The_standalone_servers_exception_handler_answers_the_same_problem_for_the_same_failure()
    {
        var failure = new InvalidOperationException("boom");
        var viaTrigger = HttpCall.Request("DELETE", "/api/deadletters/t1~review");
        viaTrigger.HttpContext.TraceIdentifier = "trace-7";
        var viaHandler = HttpCall.Request("DELETE", "/api/deadletters/t1~review");
        viaHandler.HttpContext.TraceIdentifier = "trace-7";

        var trigger = await HttpCall.RunAsync(viaTrigger, await Runner().RunAsync(viaTrigger, _app.Client.Object, () => throw failure));
        Assert.True(await new ApiExceptionHandler(Microsoft.Extensions.Logging.Abstractions.NullLogger<ApiExceptionHandler>.Instance).TryHandleAsync(viaHandler.HttpContext, failure, default));
        var handler = await HttpCall.ReadAsync(viaHandler);

        Assert.Equal((500, "application/problem+json"), (trigger.Status, trigger.ContentType));
        Assert.Equal((trigger.Status, trigger.ContentType), (handler.Status, handler.ContentType));
        Assert.Equal(Normalized(trigger.Json), Normalized(handler.Json));
    }

    [Fact]
    public void The_standalone_server_registers_that_handler_with_the_api()
    {
        var services = new ServiceCollection().AddAgentFunctionsApi();

        Assert.Contains(services, d => d.ServiceType == typeof(IExceptionHandler) && d.ImplementationType == typeof(ApiExceptionHandler));
    }

    private T Functions<T>() => ActivatorUtilities.CreateInstance<T>(_app.Services, Runner());

    private HttpTriggerRunner Runner() => new(_app.Get<DurableClientAccessor>(), _log);

    private static string Normalized(JsonElement json) => JsonSerializer.Serialize(json.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).ToDictionary(p => p.Name, p => p.Value.ToString()));

    /// <summary>A request body that fails as Kestrel's does when a client sends more than the server accepts.</summary>
    private sealed class UnreadableBody(Exception failure) : MemoryStream
    {
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => throw failure;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw failure;
    }
}
