using System.Reflection;
using System.Text.Json;
using AgentFunctions.Hosting;
using AgentFunctions.Orchestration;
using AgentFunctions.Tests.Support;

namespace AgentFunctions.Tests.Hosting;

/// <summary>
/// The functions.metadata the Worker SDK generated when the app was built, which is what the Functions host reads to
/// know the triggers: every route of the HTTP API (docs/api.md), the orchestrators, the activities and the queue triggers.
/// </summary>
public sealed class FunctionsMetadataTests
{
    /// <summary>
    /// The HTTP API of docs/api.md, as method and route below /api. Not listed: the Durable webhook routes, which the
    /// Durable extension serves natively in Functions.
    /// </summary>
    public static readonly TheoryData<string, string> DesignRoutes = new()
    {
        { "POST", "tasks" },
        { "GET", "tasks" },
        { "GET", "tasks/{id}" },
        { "GET", "tasks/{id}/result" },
        { "GET", "tasks/{id}/artifacts/{*path}" },
        { "POST", "tasks/{id}/approve" },
        { "POST", "tasks/{id}/reject" },
        { "POST", "tasks/{id}/cancel" },
        { "GET", "tasks/{id}/history" },
        { "GET", "deadletters" },
        { "GET", "deadletters/{id}" },
        { "POST", "deadletters/{id}/replay" },
        { "DELETE", "deadletters/{id}" },
        { "POST", "workers/{role}/lease" },
        { "POST", "workers/{role}/leases/{leaseId}/heartbeat" },
        { "POST", "workers/{role}/leases/{leaseId}/complete" },
        { "POST", "workers/{role}/leases/{leaseId}/fail" },
        { "GET", "health" },
        { "GET", "metrics" },
        { "GET", "openapi.json" },
        { "GET", "roles" },
        { "GET", "whoami" },
        { "GET", "dashboard" },
        { "GET", "dashboard/{*asset}" },
    };

    /// <summary>Anonymous: health (probes), the OpenAPI document (no data) and the dashboard's files (a browser sends no key when it opens a page).</summary>
    private static readonly string[] AnonymousRoutes = ["health", "openapi.json", "dashboard", "dashboard/{*asset}"];

    /// <summary>Routes that never touch the engine, so their functions bind no Durable client.</summary>
    private static readonly string[] EngineFreeRoutes = ["whoami", "openapi.json", "dashboard", "dashboard/{*asset}"];

    [Theory]
    [MemberData(nameof(DesignRoutes))]
    public void Every_route_of_the_design_has_an_http_function_with_its_method(string method, string route)
    {
        var functions = FunctionsMetadata.Read().Where(f => f.Trigger.GetProperty("type").GetString() == "httpTrigger").ToList();

        var match = functions.Where(f => f.Route == route && f.Methods.Contains(method)).ToList();

        Assert.True(match.Count == 1, $"{method} /api/{route}: expected one HTTP function, found {match.Count}. Generated: {string.Join(", ", functions.Select(f => $"{string.Join('|', f.Methods)} {f.Route}"))}");
    }

    [Fact]
    public void Every_http_function_is_behind_a_function_key_except_health_the_openapi_document_and_the_dashboard_and_those_that_use_the_engine_open_a_durable_client()
    {
        foreach (var function in FunctionsMetadata.Read().Where(f => f.Trigger.GetProperty("type").GetString() == "httpTrigger"))
        {
            var expected = AnonymousRoutes.Contains(function.Route) ? "Anonymous" : "Function";
            Assert.True(expected == function.Trigger.GetProperty("authLevel").GetString(), $"{function.Name}: authLevel should be {expected}");
            var opensClient = function.Bindings.Any(b => b.GetProperty("type").GetString() == "durableClient");
            Assert.True(opensClient != EngineFreeRoutes.Contains(function.Route), $"{function.Name}: {(opensClient ? "binds a Durable client it does not use" : "binds no Durable client")}");
        }
    }

    [Fact]
    public void The_orchestrators_and_every_activity_the_orchestrations_call_are_there()
    {
        var functions = FunctionsMetadata.Read();
        var names = typeof(OrchestrationNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();

        foreach (var name in names)
        {
            var function = functions.SingleOrDefault(f => f.Name == name);
            Assert.True(function is not null, $"no function named {name} in functions.metadata");
            var expected = name is OrchestrationNames.AgentTask or OrchestrationNames.RemoteRole ? "orchestrationTrigger" : "activityTrigger";
            Assert.Equal(expected, function.Trigger.GetProperty("type").GetString());
        }

        Assert.Equal(2, functions.Count(f => f.Trigger.GetProperty("type").GetString() == "orchestrationTrigger"));
        Assert.Equal(names.Count - 2, functions.Count(f => f.Trigger.GetProperty("type").GetString() == "activityTrigger"));
    }

    [Theory]
    [InlineData("IntakeTask", StorageNames.IntakeQueue)]
    [InlineData("IntakePoison", StorageNames.IntakePoisonQueue)]
    public void The_queue_triggers_read_the_intake_queues_of_the_storage_account(string name, string queue)
    {
        var function = FunctionsMetadata.Read().Single(f => f.Name == name);

        Assert.Equal("queueTrigger", function.Trigger.GetProperty("type").GetString());
        Assert.Equal(queue, function.Trigger.GetProperty("queueName").GetString());
        Assert.Equal(StorageNames.Connection, function.Trigger.GetProperty("connection").GetString());
    }

    [Fact]
    public void The_build_carries_the_extensions_the_host_loads_for_durable_and_queue_triggers()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(FunctionsMetadata.OutputDirectory, "extensions.json")));
        var extensions = document.RootElement.GetProperty("extensions").EnumerateArray()
            .ToDictionary(e => e.GetProperty("name").GetString()!, e => e.GetProperty("hintPath").GetString()!);

        Assert.Contains("DurableTask", extensions.Keys);
        Assert.Contains("AzureStorageQueues", extensions.Keys);
        foreach (var hintPath in extensions.Values)
        {
            Assert.True(File.Exists(Path.Combine(FunctionsMetadata.OutputDirectory, hintPath)), $"{hintPath} is missing from the build output");
        }
    }
}
