using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using AgentFunctions.Testing.Azurite;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace AgentFunctions.Tests.Azurite;

[Collection(AzuriteFixture.Collection)]
public sealed class AzuriteFixtureTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Azurite_serves_blobs_and_queues_through_the_real_clients_on_loopback()
    {
        var container = new BlobContainerClient(azurite.ConnectionString, AzuriteFixture.UniqueName("fixture"));
        await container.CreateAsync();
        await container.GetBlobClient("hello.txt").UploadAsync(BinaryData.FromString("hello"));
        var queue = new QueueClient(azurite.ConnectionString, AzuriteFixture.UniqueName("fixture"));
        await queue.CreateAsync();
        await queue.SendMessageAsync("ping");

        var blob = await container.GetBlobClient("hello.txt").DownloadContentAsync();
        var message = await queue.ReceiveMessageAsync();

        Assert.Equal("hello", blob.Value.Content.ToString());
        Assert.Equal("ping", message.Value.MessageText);
        foreach (var endpoint in new[] { azurite.Server.BlobEndpoint, azurite.Server.QueueEndpoint, azurite.Server.TableEndpoint })
        {
            Assert.Equal("127.0.0.1", endpoint.Host);
            Assert.Contains($"{endpoint.Scheme}://{endpoint.Authority}/{AzuriteServer.AccountName}", azurite.ConnectionString, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Azurite_serves_tables_with_the_account_key_too()
    {
        // DurableTask.AzureStorage keeps its instances and history in tables; no table client is referenced here,
        // so this signs the two REST calls itself (SharedKeyLite).
        using var http = new HttpClient();
        var table = "fixture" + Guid.NewGuid().ToString("N")[..12];

        using var created = await http.SendAsync(SignedTableRequest(HttpMethod.Post, $"{{\"TableName\":\"{table}\"}}"));
        using var listed = await http.SendAsync(SignedTableRequest(HttpMethod.Get, null));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Contains(table, await listed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Azurite_that_cannot_be_installed_fails_with_the_reason()
    {
        var cache = Directory.CreateTempSubdirectory("agentfunctions-azurite-cache-");
        try
        {
            var options = new AzuriteOptions { CacheDirectory = cache.FullName, NpmCommand = "agentfunctions-no-such-npm" };

            var failure = await Assert.ThrowsAsync<AzuriteUnavailableException>(() => AzuriteServer.StartAsync(options));

            Assert.Contains("'agentfunctions-no-such-npm' was not found", failure.Message, StringComparison.Ordinal);
        }
        finally
        {
            cache.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Azurite_that_exits_at_start_fails_with_its_exit_code_and_output()
    {
        // The collection fixture already installed Azurite into the default cache; "false" stands in for a node
        // that dies at once, so the failure path of a real start is what runs.
        var options = new AzuriteOptions { NodeCommand = "false" };

        var failure = await Assert.ThrowsAsync<AzuriteUnavailableException>(() => AzuriteServer.StartAsync(options));

        Assert.Contains("exited with code 1 before it listened", failure.Message, StringComparison.Ordinal);
        Assert.Contains("stderr ended with", failure.Message, StringComparison.Ordinal);
    }

    private HttpRequestMessage SignedTableRequest(HttpMethod method, string? json)
    {
        var uri = new Uri(azurite.Server.TableEndpoint + "/Tables");
        var date = DateTime.UtcNow.ToString("R", CultureInfo.InvariantCulture);
        var canonicalResource = "/" + AzuriteServer.AccountName + uri.AbsolutePath;
        using var hmac = new HMACSHA256(Convert.FromBase64String(AzuriteServer.AccountKey));
        var signature = Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(date + "\n" + canonicalResource)));
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Add("x-ms-date", date);
        request.Headers.Add("x-ms-version", "2019-02-02");
        request.Headers.Add("Accept", "application/json;odata=nometadata");
        request.Headers.TryAddWithoutValidation("Authorization", $"SharedKeyLite {AzuriteServer.AccountName}:{signature}");
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return request;
    }
}
