using System.Collections.Concurrent;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Runners;
using AgentFunctions.Testing.Http;
using Microsoft.AspNetCore.Http;

namespace AgentQ.Tests.Infrastructure;

/// <summary>
/// Scripted answers to the five worker routes, for protocol cases the real server cannot be made to
/// produce on demand (a rotated lease id, a 410 or a cancel on a given heartbeat). Leases come from
/// <see cref="Grants"/>; when it is empty the lease request is answered 204 after a short wait.
/// </summary>
internal sealed class WorkerStub : IAsyncDisposable
{
    private int _heartbeats;
    private int _busyLeft;

    private WorkerStub(RecordingHttpServer server) => Server = server;

    public RecordingHttpServer Server { get; }

    public string Url => Server.Url;

    public ConcurrentQueue<LeaseGrant> Grants { get; } = new();

    /// <summary>Answer to heartbeat number n (1-based) on a lease id; default: 200, same id, not canceled.</summary>
    public Func<int, string, (int Status, object? Body)> Heartbeat { get; set; } =
        (_, leaseId) => (200, new HeartbeatResponse(leaseId, DateTimeOffset.UtcNow.AddMinutes(1), Canceled: false));

    /// <summary>When set, every lease request is answered with this status and a problem body.</summary>
    public int? LeaseStatus { get; set; }

    /// <summary>When set, complete, fail and release are answered only after this long (or never, if the worker gives up first).</summary>
    public TimeSpan? ReportDelay { get; set; }

    /// <summary>Answer to a release (default 200, as the server does for a live lease).</summary>
    public int ReleaseStatus { get; set; } = 200;

    /// <summary>How many completes are answered 503 with Retry-After: 1 (a server holding too many bodies) before one is taken.</summary>
    public int BusyCompletes { get => _busyLeft; set => _busyLeft = value; }

    public IEnumerable<RecordedRequest> Leases => Server.Requests.Where(r => r.Path.EndsWith("/lease", StringComparison.Ordinal));

    public IEnumerable<RecordedRequest> Heartbeats => Server.Requests.Where(r => r.Path.EndsWith("/heartbeat", StringComparison.Ordinal));

    /// <summary>complete, fail and release: how an attempt ended as far as the server is concerned.</summary>
    public IEnumerable<RecordedRequest> Reports => Server.Requests.Where(r => r.Path.EndsWith("/complete", StringComparison.Ordinal) || r.Path.EndsWith("/fail", StringComparison.Ordinal) || r.Path.EndsWith("/release", StringComparison.Ordinal));

    public static async Task<WorkerStub> StartAsync()
    {
        WorkerStub? stub = null;
        var server = await RecordingHttpServer.StartAsync((context, request) => stub!.HandleAsync(context, request));
        stub = new WorkerStub(server);
        return stub;
    }

    public static LeaseGrant Grant(string leaseId = "lease-1", string prompt = "Do the thing", int leaseSeconds = 60, string taskId = "t-1", string role = "review", int attempt = 1) => new()
    {
        LeaseId = leaseId,
        TaskId = taskId,
        Role = role,
        Attempt = attempt,
        MaxAttempts = 5,
        Prompt = prompt,
        LeaseExpiresAt = DateTimeOffset.UtcNow.AddSeconds(leaseSeconds),
        LeaseSeconds = leaseSeconds,
        Input = new AgentAttempt { TaskId = taskId, Role = role, Attempt = attempt, Type = "task", Prompt = prompt },
    };

    /// <summary>The lease id in a lease route: /api/workers/{role}/leases/{leaseId}/{action}.</summary>
    public static string LeaseIdOf(RecordedRequest request) => request.Path.Split('/')[^2];

    /// <summary>Waits until <paramref name="condition"/> holds (or fails the test after <paramref name="seconds"/>).</summary>
    public static async Task EventuallyAsync(Func<bool> condition, double seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the expected request did not arrive in time");
            await Task.Delay(20);
        }
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();

    private async Task HandleAsync(HttpContext context, RecordedRequest request)
    {
        var path = request.Path;
        if (path.EndsWith("/lease", StringComparison.Ordinal))
        {
            if (LeaseStatus is { } status)
            {
                await RecordingHttpServer.WriteAsync(context, status, RecordingHttpServer.Problem(status, "Refused", $"lease refused with {status}"));
            }
            else if (Grants.TryDequeue(out var grant))
            {
                await RecordingHttpServer.WriteJsonAsync(context, 200, grant);
            }
            else
            {
                // A short long-poll: enough to keep an idle worker from spinning.
                await Task.Delay(50, context.RequestAborted);
                context.Response.StatusCode = 204;
            }
        }
        else if (path.EndsWith("/heartbeat", StringComparison.Ordinal))
        {
            var (status, body) = Heartbeat(Interlocked.Increment(ref _heartbeats), LeaseIdOf(request));
            if (body is null)
            {
                await RecordingHttpServer.WriteAsync(context, status, RecordingHttpServer.Problem(status, "Gone", "lease is gone"));
            }
            else
            {
                await RecordingHttpServer.WriteJsonAsync(context, status, body);
            }
        }
        else if (ReportDelay is { } delay && (path.EndsWith("/complete", StringComparison.Ordinal) || path.EndsWith("/fail", StringComparison.Ordinal) || path.EndsWith("/release", StringComparison.Ordinal)))
        {
            // A server that stopped answering: the worker gives up by aborting the request.
            await Task.Delay(delay, context.RequestAborted);
            await RecordingHttpServer.WriteJsonAsync(context, 200, new ResultAccepted(LeaseIdOf(request), Accepted: true));
        }
        else if (path.EndsWith("/complete", StringComparison.Ordinal) && Interlocked.Decrement(ref _busyLeft) >= 0)
        {
            context.Response.Headers.RetryAfter = "1";
            await RecordingHttpServer.WriteAsync(context, 503, RecordingHttpServer.Problem(503, "Service unavailable", "the server holds as many request bodies as it may"));
        }
        else if (path.EndsWith("/complete", StringComparison.Ordinal) || path.EndsWith("/fail", StringComparison.Ordinal))
        {
            await RecordingHttpServer.WriteJsonAsync(context, 200, new ResultAccepted(LeaseIdOf(request), Accepted: true));
        }
        else if (path.EndsWith("/release", StringComparison.Ordinal))
        {
            if (ReleaseStatus == 200)
            {
                await RecordingHttpServer.WriteJsonAsync(context, 200, new LeaseReleased(LeaseIdOf(request), Released: true));
            }
            else
            {
                await RecordingHttpServer.WriteAsync(context, ReleaseStatus, RecordingHttpServer.Problem(ReleaseStatus, "Refused", $"release answered {ReleaseStatus}"));
            }
        }
        else
        {
            await RecordingHttpServer.WriteAsync(context, 404, RecordingHttpServer.Problem(404, "Not found", "no such route"));
        }
    }
}
