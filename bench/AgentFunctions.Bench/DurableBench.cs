using System.Diagnostics;
using System.Globalization;
using AgentFunctions.Hosting;
using AgentFunctions.Testing.Azurite;
using AgentFunctions.Testing.Durable;

namespace AgentFunctions.Bench;

/// <summary>
/// Fan-out-2 throughput and latency of the Functions engine on the real Durable Task runtime, on this machine: the
/// app's own orchestrators and activities on the durabletask-dotnet worker, through the test gRPC sidecar, over
/// DurableTask.Core's in-memory backend and over DurableTask.AzureStorage on Azurite, with the app's Blob storage
/// on Azurite. Not Azure: no Functions host, no network, no real storage account; the figures place the app's own
/// overhead, not what a deployment does.
/// </summary>
internal static class DurableBench
{
    public static async Task RunAsync(int tasks, int concurrency, Action<string, double> report)
    {
        await using var azurite = await AzuriteServer.StartAsync();
        foreach (var (label, backend) in new[] { ("in_memory", DurableBackend.InMemory()), ("azure_storage_azurite", DurableBackend.AzureStorage(azurite.ConnectionString)) })
        {
            await using var host = await FunctionsEngineHost.StartAsync(new FunctionsEngineOptions
            {
                Settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
                {
                    [StorageNames.Connection] = azurite.ConnectionString,
                    ["Roles:implementation:Runner"] = "echo",
                    ["Roles:review:Runner"] = "echo",
                },
                Backend = backend,
            });
            using var client = new LoadClient(host.BaseUrl, concurrency);
            var prefix = $"durable-{label}-";
            Console.WriteLine($"durable ({label}, NOT Azure): {tasks} fan-out-2 tasks, {concurrency} concurrent clients");

            // Warm-up, not counted: JIT, connection pools, the backend's queues and tables.
            var warmup = Math.Max(20, tasks / 10);
            await LoadClient.RunConcurrentlyAsync(warmup, concurrency, i => client.SubmitAsync($"warm-{prefix}{i}"));
            await WaitForCompletedAsync(client, $"warm-{prefix}", warmup, TimeSpan.FromMinutes(10));

            var submitted = new DateTimeOffset[tasks];
            var clock = Stopwatch.StartNew();
            var first = DateTimeOffset.UtcNow;
            await LoadClient.RunConcurrentlyAsync(tasks, concurrency, async i =>
            {
                submitted[i] = DateTimeOffset.UtcNow;
                await client.SubmitAsync(prefix + i);
            });
            var submitSeconds = clock.Elapsed.TotalSeconds;
            var done = await WaitForCompletedAsync(client, prefix, tasks, TimeSpan.FromMinutes(20));
            var seconds = (done.Values.Max() - first).TotalSeconds;
            var latencies = done.Select(p => (p.Value - submitted[int.Parse(p.Key[prefix.Length..], CultureInfo.InvariantCulture)]).TotalMilliseconds).Order().ToList();
            var name = $"durable_{label}_not_azure";
            report($"{name}_submit_per_second", tasks / submitSeconds);
            report($"{name}_fanout2_tasks_per_second", done.Count / seconds);
            report($"{name}_activities_per_second", done.Count * 4 / seconds); // DescribeRoles, two role attempts, WriteTaskResult
            report($"{name}_latency_p50_ms", Percentiles.Of(latencies, 0.50));
            report($"{name}_latency_p99_ms", Percentiles.Of(latencies, 0.99));
        }
    }

    private static async Task<Dictionary<string, DateTimeOffset>> WaitForCompletedAsync(LoadClient client, string prefix, int count, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var done = await client.CompletionTimesAsync(prefix);
            if (done.Count >= count)
            {
                return done;
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"only {done.Count} of {count} '{prefix}' tasks completed in {timeout}");
            }

            await Task.Delay(2000);
        }
    }
}
