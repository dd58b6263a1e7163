using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Testing;

namespace AgentFunctions.Standalone.Tests.Support;

/// <summary>The calls the end-to-end tests make again and again against a running <see cref="StandaloneServer"/>.</summary>
internal static class ServerCalls
{
    public static async Task<HttpResponseMessage> PostJsonAsync(this StandaloneServer server, string path, string json, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Add("x-functions-key", key);
        }

        return await server.Client.SendAsync(request);
    }

    /// <summary>Submits a spec and asserts it was accepted.</summary>
    public static async Task SubmitAsync(this StandaloneServer server, string json)
    {
        using var response = await server.PostJsonAsync("api/tasks", json);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"submit answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Takes a lease with the request <paramref name="body"/> and asserts one was granted.</summary>
    public static async Task<JsonElement> LeaseAsync(this StandaloneServer server, string role, string body)
    {
        using var response = await server.PostJsonAsync($"api/workers/{role}/lease", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"lease answered {(int)response.StatusCode}");
        return await Responses.ReadJsonAsync(response);
    }

    public static async Task<TaskView> GetTaskAsync(this StandaloneServer server, string id) =>
        (await server.Client.GetFromJsonAsync<TaskView>($"api/tasks/{id}", CoreJson.Options))!;

    /// <summary>Polls the task view until <paramref name="until"/> holds (default: the task ended).</summary>
    public static async Task<TaskView> WaitForAsync(this StandaloneServer server, string id, Func<TaskView, bool>? until = null, TimeSpan? timeout = null)
    {
        until ??= view => view.State.IsTerminal();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        TaskView view;
        do
        {
            view = await server.GetTaskAsync(id);
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
}
