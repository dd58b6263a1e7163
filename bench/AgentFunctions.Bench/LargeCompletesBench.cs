using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgentFunctions.Testing;

namespace AgentFunctions.Bench;

/// <summary>
/// Workers completing at once with the largest results the default limits allow (three 10 MiB artifacts, base64): a
/// fresh server's peak resident memory, how many completes were answered 503 (Standalone:MaxInFlightBodyBytes) and
/// how long until all were stored.
/// </summary>
internal static class LargeCompletesBench
{
    private const int ArtifactsPerResult = 3;
    private const int ArtifactBytes = 10 * 1024 * 1024;

    public static async Task RunAsync(string serverDll, int workers, Action<string, double> report)
    {
        await using var server = await StandaloneServer.StartAsync(new StandaloneServerOptions
        {
            ServerPath = serverDll,
            Settings = new Dictionary<string, string> { ["Roles:big:Runner"] = "remote", ["Roles:big:LeaseSeconds"] = "600" },
        });
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
        var leases = new List<string>();
        for (var i = 0; i < workers; i++)
        {
            using var submit = await client.PostAsJsonAsync("api/tasks", new { id = $"big-{i}", to = new[] { "big" }, instructions = "x" });
            submit.EnsureSuccessStatusCode();
            using var lease = await client.PostAsJsonAsync("api/workers/big/lease", new { workerId = "bench", waitSeconds = 10 });
            lease.EnsureSuccessStatusCode();
            leases.Add(JsonDocument.Parse(await lease.Content.ReadAsStringAsync()).RootElement.GetProperty("leaseId").GetString()!);
        }

        var body = MaximumResult();
        var refusals = 0;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(leases.Select(async leaseId =>
        {
            while (true)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, $"api/workers/big/leases/{leaseId}/complete")
                {
                    Content = new ByteArrayContent(body) { Headers = { { "Content-Type", "application/json" } } },
                };
                request.Headers.ExpectContinue = true;
                using var response = await client.SendAsync(request);
                if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
                {
                    response.EnsureSuccessStatusCode();
                    return;
                }

                Interlocked.Increment(ref refusals);
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
            }
        }));

        report("large_completes", workers);
        report("large_completes_body_mib", body.Length / (1024.0 * 1024.0));
        report("large_completes_503_answers", refusals);
        report("large_completes_seconds", Stopwatch.GetElapsedTime(started).TotalSeconds);
        report("large_completes_server_peak_rss_mib", ProcessMemory.PeakRssMiB(server.ProcessId));
    }

    private static byte[] MaximumResult()
    {
        var bytes = new byte[ArtifactBytes];
        new Random(7).NextBytes(bytes);
        var content = Convert.ToBase64String(bytes);
        var json = new StringBuilder("""{ "status": "completed", "summary": "big", "artifacts": [""");
        for (var i = 0; i < ArtifactsPerResult; i++)
        {
            json.Append(i == 0 ? string.Empty : ",").Append(CultureInfo.InvariantCulture, $$"""{ "name": "a{{i}}.bin", "encoding": "base64", "content": "{{content}}" }""");
        }

        return Encoding.UTF8.GetBytes(json.Append("] }").ToString());
    }
}
