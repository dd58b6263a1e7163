using System.Globalization;
using System.Net;
using System.Text;
using Xunit.Abstractions;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Standalone.Tests.Support;
using AgentFunctions.Testing;

namespace AgentFunctions.Standalone.Tests.Hosting;

/// <summary>
/// Many workers completing at once with the largest results allowed: the server holds a bounded number of request
/// bodies (Standalone:MaxInFlightBodyBytes), answers the rest 503 with Retry-After, every result is stored in the
/// end, and the server's peak resident memory stays under the documented bound of 1 GiB (a resource bound, not a
/// timing: a result's artifacts are decoded once, from the request into bytes, and large ones go to their files
/// before the commit that names them).
/// </summary>
public sealed class MemoryBoundTests(ITestOutputHelper output)
{
    private const int Workers = 20;
    private const int ArtifactsPerResult = 3;
    private const int ArtifactBytes = 10 * 1024 * 1024;

    /// <summary>The bound docs/configuration.md gives for this burst.</summary>
    private const long MaxPeakResidentBytes = 1024L * 1024 * 1024;

    [Fact]
    public async Task Twenty_concurrent_maximum_size_completes_each_complete_or_get_503_with_retry_after_and_all_are_stored()
    {
        await using var server = await StandaloneServer.StartAsync(new Dictionary<string, string>
        {
            ["Roles:big:Runner"] = "remote",
            ["Roles:big:LeaseSeconds"] = "600",
            ["Limits:MaxArtifactBytes"] = ArtifactBytes.ToString(CultureInfo.InvariantCulture),
        });
        var leases = new List<string>();
        for (var i = 0; i < Workers; i++)
        {
            await server.SubmitAsync($$"""{ "id": "big-{{i}}", "to": ["big"], "instructions": "x" }""");
            using var lease = await server.PostJsonAsync("api/workers/big/lease", """{ "workerId": "w", "waitSeconds": 10 }""");
            Assert.Equal(HttpStatusCode.OK, lease.StatusCode);
            leases.Add((await Responses.ReadJsonAsync(lease)).GetProperty("leaseId").GetString()!);
        }

        // 20 bodies of 40 MiB take a while through a loaded loopback: the default client timeout is too short.
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        var body = MaximumResult();
        var refusals = 0;
        var completes = leases.Select(async leaseId =>
        {
            while (true)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, $"api/workers/big/leases/{leaseId}/complete")
                {
                    Content = new ByteArrayContent(body) { Headers = { { "Content-Type", "application/json" } } },
                };

                // As a well-behaved client does with a large body: the server may refuse it before it is sent.
                request.Headers.ExpectContinue = true;
                using var response = await client.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                await Responses.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "request bodies");
                var retryAfter = response.Headers.RetryAfter?.Delta;
                Assert.True(retryAfter is { TotalSeconds: >= 1 }, "a 503 says when to retry");
                Interlocked.Increment(ref refusals);
                await Task.Delay(retryAfter!.Value);
            }
        }).ToList();
        await Task.WhenAll(completes);

        var peak = PeakResidentBytes(server.ProcessId);
        output.WriteLine($"peak server RSS {peak / (1024 * 1024)} MiB for {Workers} concurrent completes of {ArtifactsPerResult} x {ArtifactBytes / (1024 * 1024)} MiB base64 artifacts; {refusals} answers were 503");
        Assert.True(refusals > 0, "twenty 40 MiB bodies at once exceed the default in-flight budget of 256 MiB, so some are refused");
        Assert.True(peak < MaxPeakResidentBytes, $"the server's peak RSS was {peak / (1024 * 1024)} MiB, over the documented {MaxPeakResidentBytes / (1024 * 1024)} MiB");
        for (var i = 0; i < Workers; i++)
        {
            var view = await server.WaitForAsync($"big-{i}");
            Assert.Equal(AgentTaskStatus.Completed, view.State);
            Assert.Equal(ArtifactsPerResult, view.Roles[0].Artifacts.Count);
        }

        Assert.Equal(ArtifactBytes, (await server.Client.GetByteArrayAsync("api/tasks/big-7/artifacts/artifacts/big/a2.bin")).Length);
    }

    /// <summary>The largest result the default limits accept: three artifacts of MaxArtifactBytes each, base64.</summary>
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

    /// <summary>The kernel's high-water mark of the process's resident memory (VmHWM).</summary>
    internal static long PeakResidentBytes(int processId)
    {
        var line = File.ReadLines($"/proc/{processId}/status").Single(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        var kilobytes = long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return kilobytes * 1024;
    }
}
