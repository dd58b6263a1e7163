using System.Net;
using System.Net.Sockets;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Runners;
using Microsoft.Extensions.DependencyInjection;

namespace AgentFunctions.Core.Tests.Runners;

/// <summary>Attempts, roles and services the runner tests share.</summary>
internal static class RunnerTestData
{
    public static AgentAttempt Attempt(string prompt = "Write the release notes.", string taskId = "task-1", string role = "impl", int attempt = 1) => new()
    {
        TaskId = taskId,
        Role = role,
        Attempt = attempt,
        MaxAttempts = 5,
        Type = "task",
        Prompt = prompt,
    };

    public static RoleDefinition CommandRole(params string[] command) => new()
    {
        Name = "impl",
        Runner = RunnerKind.Command,
        Command = command,
        Timeout = TimeSpan.FromSeconds(20),
    };

    /// <summary>The real DI graph of the runners, as hosts get it from <c>AddAgentRunners</c>.</summary>
    public static ServiceProvider Services(Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddAgentRunners();
        configure?.Invoke(services);
        return services.BuildServiceProvider();
    }

    public static IHttpClientFactory HttpClientFactory(ServiceProvider services) => services.GetRequiredService<IHttpClientFactory>();

    /// <summary>Error answers of an agent or chat endpoint and whether each makes the failure permanent (the HTTP runners classify them alike).</summary>
    public static TheoryData<int, bool> HttpErrorStatuses => new()
    {
        { 500, false },
        { 502, false },
        { 503, false },
        { 429, false },
        { 408, false },
        { 400, true },
        { 401, true },
        { 404, true },
        { 422, true },
    };

    /// <summary>A loopback port nobody listens on (bound, then released).</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
