using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace AgentFunctions.Dashboard.Tests.Support;

/// <summary>What the tests do over HTTP beside the page (as a coordinator or a worker would): submit, wait, lease, complete.</summary>
public sealed class ServerCalls(Uri baseAddress, string? key = null) : IDisposable
{
    private readonly HttpClient _http = Create(baseAddress, key);

    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 11)];

    public async Task SubmitAsync(object spec)
    {
        using var response = await _http.PostAsJsonAsync("api/tasks", spec);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"submit answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Polls until the JSON at <paramref name="path"/> satisfies <paramref name="until"/> (30 s at most).</summary>
    public async Task<JsonElement> WaitAsync(string path, Func<JsonElement, bool> until, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement last = default;
        while (DateTime.UtcNow < deadline)
        {
            using var response = await _http.GetAsync(path);
            if (response.IsSuccessStatusCode)
            {
                last = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
                if (until(last))
                {
                    return last;
                }
            }

            await Task.Delay(100);
        }

        Assert.Fail($"GET {path} did not show {what} within 30 s; last: {last}");
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>Leases the next attempt of a remote role (waiting up to 10 s) and returns its lease id.</summary>
    public async Task<string> LeaseAsync(string role, string taskId)
    {
        using var response = await _http.PostAsJsonAsync($"api/workers/{role}/lease?wait=10", new { workerId = "dashboard-test-worker", taskId });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"lease answered {(int)response.StatusCode}: {body}");
        var lease = JsonDocument.Parse(body).RootElement;
        Assert.True(lease.GetProperty("taskId").GetString() == taskId, $"leased another task's attempt: {body}");
        return lease.GetProperty("leaseId").GetString()!;
    }

    public async Task PostOkAsync(string path, object body)
    {
        using var response = await _http.PostAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"POST {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    public void Dispose() => _http.Dispose();

    private static HttpClient Create(Uri baseAddress, string? key)
    {
        var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Add("x-functions-key", key);
        }

        return http;
    }
}
