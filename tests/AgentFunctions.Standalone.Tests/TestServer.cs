using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Standalone.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AgentFunctions.Standalone.Tests;

/// <summary>
/// A real Standalone server in this process: real Kestrel on 127.0.0.1 (free port), real SQLite
/// and files in a temporary directory, configured like an operator would (the same keys).
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestServer(WebApplication app, Uri address, string dataDirectory)
    {
        _app = app;
        BaseAddress = address;
        DataDirectory = dataDirectory;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri BaseAddress { get; }

    public string DataDirectory { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<TestServer> StartAsync(IDictionary<string, string>? settings = null, string? dataDirectory = null)
    {
        var data = dataDirectory ?? TempPaths.NewDirectory("data");
        var args = new List<string> { "--urls", "http://127.0.0.1:0", "--Standalone:DataDirectory", data, "--Logging:LogLevel:Default", "Warning" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            args.Add("--" + key);
            args.Add(value);
        }

        var app = StandaloneApp.Build([.. args]);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestServer(app, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/"), data);
    }

    public async Task<HttpResponseMessage> PostJsonAsync(string path, string json, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Add("x-functions-key", key);
        }

        return await Client.SendAsync(request);
    }

    /// <summary>Submits a spec and asserts it was accepted.</summary>
    public async Task SubmitAsync(string json)
    {
        using var response = await PostJsonAsync("api/tasks", json);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"submit answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    public async Task<TaskView> GetTaskAsync(string id) =>
        (await Client.GetFromJsonAsync<TaskView>($"api/tasks/{id}", CoreJson.Options))!;

    /// <summary>Polls the task view until <paramref name="until"/> holds (default: the task ended).</summary>
    public async Task<TaskView> WaitForAsync(string id, Func<TaskView, bool>? until = null, TimeSpan? timeout = null)
    {
        until ??= view => view.State.IsTerminal();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        TaskView view;
        do
        {
            view = await GetTaskAsync(id);
            if (until(view))
            {
                return view;
            }

            await Task.Delay(25);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"task {id} did not reach the expected state in time; last seen: {JsonSerializer.Serialize(view, CoreJson.Options)}");
        return view;
    }

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    /// <summary>Asserts a problem+json answer with the status and a detail containing <paramref name="detailPart"/>.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detailPart)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Contains(detailPart, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        return problem;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        TempPaths.TryDelete(DataDirectory);
    }
}
