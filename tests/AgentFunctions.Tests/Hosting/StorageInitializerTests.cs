using AgentFunctions.Hosting;
using AgentFunctions.Http;
using AgentFunctions.Testing.Azurite;
using AgentFunctions.Tests.Support;

namespace AgentFunctions.Tests.Hosting;

/// <summary>The storage initializer and the health check on Azurite, through the app's own storage clients.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class StorageInitializerTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task The_initializer_creates_the_containers_the_intake_queues_and_a_work_queue_per_remote_role()
    {
        var remote = AzuriteApp.UniqueRole();
        var inline = AzuriteApp.UniqueRole("i");
        using var app = new AzuriteApp(azurite, new Dictionary<string, string?>
        {
            [$"Roles:{remote}:Runner"] = "remote",
            [$"Roles:{inline}:Runner"] = "echo",
        });
        // The collection's tests run one at a time, so removing the shared containers and queues cannot race another test.
        await app.Blobs.DeleteBlobContainerAsync(StorageNames.ArtifactsContainer);
        await app.Blobs.DeleteBlobContainerAsync(StorageNames.DeadLetterContainer);
        await app.Queues.Intake.DeleteIfExistsAsync();
        await app.Queues.IntakePoison.DeleteIfExistsAsync();

        await app.InitializeStorageAsync();

        Assert.True((await app.Blobs.GetBlobContainerClient(StorageNames.ArtifactsContainer).ExistsAsync()).Value);
        Assert.True((await app.Blobs.GetBlobContainerClient(StorageNames.DeadLetterContainer).ExistsAsync()).Value);
        Assert.True((await app.Queues.Intake.ExistsAsync()).Value);
        Assert.True((await app.Queues.IntakePoison.ExistsAsync()).Value);
        Assert.True((await app.Queues.For(remote).ExistsAsync()).Value);
        Assert.False((await app.Queues.For(inline).ExistsAsync()).Value); // inline roles have no work queue
        await app.Queues.For(remote).DeleteAsync();
    }

    [Fact]
    public async Task Starting_again_keeps_what_the_storage_already_holds()
    {
        var remote = AzuriteApp.UniqueRole();
        using var app = new AzuriteApp(azurite, new Dictionary<string, string?> { [$"Roles:{remote}:Runner"] = "remote" });
        await app.InitializeStorageAsync();
        var path = $"tasks/{AzuriteApp.UniqueTaskId()}/spec.json";
        await app.Artifacts.WriteAsync(path, "{}"u8.ToArray(), null, default);
        await app.Queues.For(remote).SendMessageAsync("{}");

        await app.InitializeStorageAsync();

        Assert.True(await app.Artifacts.ExistsAsync(path, default));
        Assert.Equal(1, (await app.Queues.For(remote).GetPropertiesAsync()).Value.ApproximateMessagesCount);
        await app.Queues.For(remote).DeleteAsync();
    }

    [Fact]
    public async Task Health_reports_a_missing_intake_queue_and_is_healthy_once_the_initializer_created_it()
    {
        using var app = new AzuriteApp(azurite);
        await app.InitializeStorageAsync();
        await app.Queues.Intake.DeleteAsync();

        var missing = await HealthAsync(app);
        await app.InitializeStorageAsync();
        var healthy = await HealthAsync(app);

        Assert.Equal(503, missing.Status);
        Assert.Equal("missing", missing.Json.GetProperty("checks").GetProperty("queue:" + StorageNames.IntakeQueue).GetString());
        Assert.Equal("ok", missing.Json.GetProperty("checks").GetProperty("blob:" + StorageNames.ArtifactsContainer).GetString());
        Assert.Equal(200, healthy.Status);
        Assert.Equal("healthy", healthy.Json.GetProperty("status").GetString());
    }

    private static async Task<HttpCall.Answer> HealthAsync(AzuriteApp app)
    {
        var request = HttpCall.Request("GET", "/api/health");
        return await HttpCall.RunAsync(request, await app.Create<OperationsHttpFunctions>().HealthAsync(request, app.Durable.Client.Object, default));
    }
}
