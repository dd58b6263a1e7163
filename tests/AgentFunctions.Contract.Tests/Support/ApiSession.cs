using System.Net;
using System.Text;
using System.Text.Json;

namespace AgentFunctions.Contract.Tests.Support;

/// <summary>Plain HTTP against one engine, as curl would use it: JSON in, status code and JSON out.</summary>
internal sealed class ApiSession(IEngines engines, string engine) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = engines.BaseAddress(engine), Timeout = TimeSpan.FromSeconds(60) };

    public string Engine => engine;

    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public Task<Answer> PostAsync(string path, string? json = null) => SendAsync(HttpMethod.Post, path, json);

    public Task<Answer> PostAsync(string path, object body) => SendAsync(HttpMethod.Post, path, JsonSerializer.Serialize(body, JsonOptions.Web));

    public Task<Answer> GetAsync(string path) => SendAsync(HttpMethod.Get, path, null);

    public Task<Answer> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path, null);

    /// <param name="traceParent">A W3C <c>traceparent</c> header, as a traced caller sends it.</param>
    public async Task<Answer> SendAsync(HttpMethod method, string path, string? json, string? traceParent = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (traceParent is not null)
        {
            request.Headers.Add("traceparent", traceParent);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return new Answer(engine, method.Method + " " + path, response.StatusCode, response.Content.Headers.ContentType?.MediaType, response.Headers.Location, body);
    }

    /// <summary>Polls GET /api/tasks/{id} until <paramref name="until"/> holds on its JSON.</summary>
    public async Task<JsonElement> WaitForTaskAsync(string id, Func<JsonElement, bool> until, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        Answer? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await GetAsync($"api/tasks/{id}");
            if (last.Status == HttpStatusCode.OK && until(last.Json))
            {
                return last.Json;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"[{engine}] task {id} did not reach {what}: {last?.Body}{Environment.NewLine}{engines.Log(engine)}");
        throw new InvalidOperationException("unreachable");
    }

    public Task<JsonElement> WaitForStateAsync(string id, string state) =>
        WaitForTaskAsync(id, view => view.GetProperty("state").GetString() == state, $"state {state}");

    public void Dispose() => _http.Dispose();
}
