using AgentFunctions.Core.Storage;
using AgentFunctions.Storage;
using AgentFunctions.Testing.Azurite;
using Azure.Storage.Blobs;

namespace AgentFunctions.Tests.Storage;

/// <summary>The Blob artifact store against Azurite, through the real Azure.Storage.Blobs client.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class BlobArtifactStoreTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly BlobContainerClient _container = new(azurite.ConnectionString, AzuriteFixture.UniqueName("artifacts"));

    public Task InitializeAsync() => _container.CreateAsync();

    public Task DisposeAsync() => _container.DeleteIfExistsAsync();

    [Fact]
    public async Task Written_text_reads_back_with_the_content_type_of_its_extension()
    {
        var store = new BlobArtifactStore(_container);

        await store.WriteTextAsync("tasks/t1/results/review.md", "# Looks good");

        Assert.Equal("# Looks good", await store.ReadTextAsync("tasks/t1/results/review.md"));
        var properties = await _container.GetBlobClient("tasks/t1/results/review.md").GetPropertiesAsync();
        Assert.Equal(ArtifactContentTypes.Markdown, properties.Value.ContentType);
    }

    [Fact]
    public async Task A_second_write_replaces_the_first()
    {
        var store = new BlobArtifactStore(_container);
        await store.WriteTextAsync("tasks/t1/results/review.md", "# First");

        await store.WriteTextAsync("tasks/t1/results/review.md", "# Second");

        Assert.Equal("# Second", await store.ReadTextAsync("tasks/t1/results/review.md"));
    }

    [Fact]
    public async Task An_explicit_content_type_is_stored_and_comes_back_on_read()
    {
        var store = new BlobArtifactStore(_container);

        await store.WriteAsync("tasks/t1/artifacts/review/diagram.svg", "<svg/>"u8.ToArray(), "image/svg+xml", default);

        await using var content = await store.OpenReadAsync("tasks/t1/artifacts/review/diagram.svg", default);
        Assert.NotNull(content);
        Assert.Equal(new ArtifactInfo("tasks/t1/artifacts/review/diagram.svg", 6, content.Info.LastModified, "image/svg+xml"), content.Info);
        Assert.True(content.Info.LastModified > DateTimeOffset.UtcNow.AddMinutes(-5));
    }

    [Fact]
    public async Task A_missing_artifact_reads_as_null_and_does_not_exist()
    {
        var store = new BlobArtifactStore(_container);

        Assert.Null(await store.OpenReadAsync("tasks/t1/none.txt", default));
        Assert.False(await store.ExistsAsync("tasks/t1/none.txt", default));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/absolute")]
    [InlineData("tasks\\t1")]
    [InlineData("tasks//t1")]
    public async Task Invalid_paths_are_refused_and_nothing_is_written(string path)
    {
        var store = new BlobArtifactStore(_container);

        await Assert.ThrowsAsync<ArgumentException>(() => store.WriteAsync(path, new byte[] { 1 }, null, default));
        await Assert.ThrowsAsync<ArgumentException>(() => store.OpenReadAsync(path, default));

        Assert.Empty(await BlobNamesAsync());
    }

    [Fact]
    public async Task Write_over_the_artifact_limit_is_refused_and_nothing_is_written()
    {
        var store = new BlobArtifactStore(_container, maxArtifactBytes: 4);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.WriteAsync("tasks/t1/big.bin", new byte[5], null, default));

        Assert.Empty(await BlobNamesAsync());
    }

    [Fact]
    public async Task List_reads_blobs_under_the_prefix_with_length_and_type_and_skips_names_the_layout_cannot_address()
    {
        var store = new BlobArtifactStore(_container);
        await store.WriteTextAsync("tasks/t1/result.json", "{\"ok\":true}");
        await store.WriteTextAsync("tasks/t1/spec.json", "{}");
        await store.WriteTextAsync("tasks/t2/spec.json", "{}");
        await _container.GetBlobClient("tasks/t1/bad name.json").UploadAsync(BinaryData.FromString("{}")); // another tool's blob

        var items = new List<ArtifactInfo>();
        await foreach (var item in store.ListAsync("tasks/t1/", default))
        {
            items.Add(item);
        }

        Assert.Equal(["tasks/t1/result.json", "tasks/t1/spec.json"], items.Select(i => i.Path));
        Assert.Equal([11L, 2L], items.Select(i => i.Length));
        Assert.All(items, i => Assert.Equal(ArtifactContentTypes.Json, i.ContentType));
    }

    [Fact]
    public async Task Delete_removes_one_artifact_and_answers_whether_it_was_there()
    {
        var store = new BlobArtifactStore(_container);
        await store.WriteTextAsync("tasks/t1/log.txt", "hello");

        Assert.True(await store.DeleteAsync("tasks/t1/log.txt", default));
        Assert.False(await store.DeleteAsync("tasks/t1/log.txt", default));
        Assert.False(await store.ExistsAsync("tasks/t1/log.txt", default));
    }

    [Fact]
    public async Task Delete_prefix_removes_everything_under_it_and_nothing_else()
    {
        var store = new BlobArtifactStore(_container);
        await store.WriteTextAsync("tasks/t1/a.txt", "a");
        await store.WriteTextAsync("tasks/t1/results/b.md", "b");
        await store.WriteTextAsync("tasks/t10/c.txt", "c");

        Assert.Equal(2, await store.DeletePrefixAsync("tasks/t1/", default));

        Assert.Equal(["tasks/t10/c.txt"], await BlobNamesAsync());
    }

    [Fact]
    public async Task Delete_prefix_refuses_to_purge_everything()
    {
        var store = new BlobArtifactStore(_container);
        await store.WriteTextAsync("tasks/t1/a.txt", "a");

        await Assert.ThrowsAsync<ArgumentException>(() => store.DeletePrefixAsync(string.Empty, default));

        Assert.Equal(["tasks/t1/a.txt"], await BlobNamesAsync());
    }

    private async Task<List<string>> BlobNamesAsync()
    {
        var names = new List<string>();
        await foreach (var blob in _container.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        return names;
    }
}
