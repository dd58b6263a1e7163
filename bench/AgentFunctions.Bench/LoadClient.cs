using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Status;

namespace AgentFunctions.Bench;

/// <summary>Submits fan-out tasks over HTTP and reads back when each one completed.</summary>
internal sealed class LoadClient(Uri baseAddress, int connections) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>Submits one task and returns when the server acknowledged it (202 after its commit).</summary>
    public async Task SubmitAsync(string id)
    {
        var body = $$"""{"id":"{{id}}","to":["implementation","review"],"type":"bench","instructions":"benchmark task {{id}}"}""";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync("api/tasks", content);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"submit {id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    public async Task<long> CompletedAsync()
    {
        var metrics = await _http.GetFromJsonAsync<MetricsSnapshot>("api/metrics", CoreJson.Options);
        return metrics!.Completed + metrics.Failed;
    }

    /// <summary>Waits until <paramref name="expected"/> tasks have finished in total (polling lightly: completion times come from the server).</summary>
    public async Task WaitForFinishedAsync(long expected, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (await CompletedAsync() < expected)
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"only {await CompletedAsync()} of {expected} tasks finished in {timeout}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The server's completion time of every task whose id starts with <paramref name="prefix"/>.</summary>
    public async Task<Dictionary<string, DateTimeOffset>> CompletionTimesAsync(string prefix)
    {
        var times = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var url = "api/tasks?state=completed&top=1000" + (token is null ? string.Empty : "&continuationToken=" + Uri.EscapeDataString(token));
            var page = await _http.GetFromJsonAsync<Page<TaskView>>(url, CoreJson.Options);
            foreach (var task in page!.Items)
            {
                if (task.Id.StartsWith(prefix, StringComparison.Ordinal) && task.Outcome is { } outcome)
                {
                    times[task.Id] = outcome.At;
                }
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
        return times;
    }

    /// <summary>Waits until the server has no file writes pending; returns when that was.</summary>
    public async Task<DateTimeOffset> WaitForFilesWrittenAsync(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while ((await HealthAsync()).GetProperty("checks").GetProperty("pendingWrites").GetString() != "0")
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException("file writes did not catch up");
            }

            await Task.Delay(100);
        }

        return DateTimeOffset.UtcNow;
    }

    /// <summary>
    /// Reads a finished task back the way a client would: its result document, its artifact list and every artifact
    /// in it, each of which must answer 200 (artifacts are committed with the task, so nothing is waited for). Returns the
    /// number of artifacts and their bytes.
    /// </summary>
    public async Task<(int Artifacts, long Bytes)> ReadBackAsync(string id)
    {
        var escaped = Uri.EscapeDataString(id);
        using (var result = await _http.GetAsync($"api/tasks/{escaped}/result", HttpCompletionOption.ResponseContentRead))
        {
            Ensure200(result, $"result of {id}");
        }

        var listing = await _http.GetFromJsonAsync<ArtifactListing>($"api/tasks/{escaped}/artifacts", CoreJson.Options);
        long bytes = 0;
        foreach (var item in listing!.Items)
        {
            using var artifact = await _http.GetAsync($"api/tasks/{escaped}/artifacts/{item.Path}", HttpCompletionOption.ResponseContentRead);
            Ensure200(artifact, $"artifact {item.Path} of {id}");
            var body = await artifact.Content.ReadAsByteArrayAsync();
            if (body.Length != item.Length)
            {
                throw new InvalidOperationException($"artifact {item.Path} of {id}: {body.Length} bytes read, the list says {item.Length}");
            }

            bytes += body.Length;
        }

        return (listing.Items.Count, bytes);

        static void Ensure200(HttpResponseMessage response, string what)
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"{what}: {(int)response.StatusCode}");
            }
        }
    }

    /// <summary>How many methods the server's JIT has compiled so far (it settles once the server is warm).</summary>
    public async Task<long> JitCompiledMethodsAsync() =>
        long.Parse((await DiagnosticsAsync())["jitCompiledMethods"], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The server's profiling figures (journal commits and timings, JIT), from <c>/api/metrics</c>.</summary>
    public async Task<IReadOnlyDictionary<string, string>> DiagnosticsAsync() =>
        (await _http.GetFromJsonAsync<MetricsSnapshot>("api/metrics", CoreJson.Options))!.Diagnostics
            ?? throw new InvalidOperationException("the server's metrics carry no diagnostics");

    private async Task<JsonElement> HealthAsync() => await _http.GetFromJsonAsync<JsonElement>("api/health");

    public void Dispose() => _http.Dispose();

    public static async Task RunConcurrentlyAsync(int count, int concurrency, Func<int, Task> work)
    {
        var next = -1;
        var errors = new ConcurrentQueue<Exception>();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                try
                {
                    await work(i);
                }
                catch (Exception ex)
                {
                    errors.Enqueue(ex);
                }
            }
        }));
        await Task.WhenAll(workers);
        if (!errors.IsEmpty)
        {
            throw new AggregateException(errors);
        }
    }
}
