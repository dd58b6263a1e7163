using System.Text;
using AgentFunctions.Core.Storage;
using AgentFunctions.Storage;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Moq;

namespace AgentFunctions.Tests.Storage;

public sealed class BlobArtifactStoreTests
{
    private readonly Mock<BlobContainerClient> _container = new();
    private readonly Dictionary<string, Mock<BlobClient>> _blobs = new(StringComparer.Ordinal);

    public BlobArtifactStoreTests() =>
        _container.Setup(c => c.GetBlobClient(It.IsAny<string>())).Returns((string name) => Blob(name).Object);

    [Fact]
    public async Task Write_uploads_the_bytes_under_the_layout_path_with_the_content_type()
    {
        BinaryData? uploaded = null;
        BlobUploadOptions? options = null;
        Blob("tasks/t1/results/review.md").Setup(b => b.UploadAsync(It.IsAny<BinaryData>(), It.IsAny<BlobUploadOptions>(), It.IsAny<CancellationToken>()))
            .Callback((BinaryData data, BlobUploadOptions o, CancellationToken _) => (uploaded, options) = (data, o))
            .ReturnsAsync(Mock.Of<Response<BlobContentInfo>>());
        var store = new BlobArtifactStore(_container.Object);

        await store.WriteTextAsync("tasks/t1/results/review.md", "# Looks good");

        Assert.Equal("# Looks good", uploaded!.ToString());
        Assert.Equal(ArtifactContentTypes.Markdown, options!.HttpHeaders.ContentType);
        Assert.Null(options.Conditions); // overwrite: a newer result replaces the older one
    }

    [Fact]
    public async Task Write_keeps_an_explicit_content_type()
    {
        BlobUploadOptions? options = null;
        Blob("tasks/t1/artifacts/review/diagram.svg").Setup(b => b.UploadAsync(It.IsAny<BinaryData>(), It.IsAny<BlobUploadOptions>(), It.IsAny<CancellationToken>()))
            .Callback((BinaryData _, BlobUploadOptions o, CancellationToken _) => options = o)
            .ReturnsAsync(Mock.Of<Response<BlobContentInfo>>());

        await new BlobArtifactStore(_container.Object).WriteAsync("tasks/t1/artifacts/review/diagram.svg", new byte[] { 1 }, "image/svg+xml", default);

        Assert.Equal("image/svg+xml", options!.HttpHeaders.ContentType);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/absolute")]
    [InlineData("tasks\\t1")]
    [InlineData("tasks//t1")]
    public async Task Invalid_paths_are_refused_before_storage_is_touched(string path)
    {
        var store = new BlobArtifactStore(_container.Object);

        await Assert.ThrowsAsync<ArgumentException>(() => store.WriteAsync(path, new byte[] { 1 }, null, default));
        await Assert.ThrowsAsync<ArgumentException>(() => store.OpenReadAsync(path, default));
        _container.Verify(c => c.GetBlobClient(It.IsAny<string>()), Times.Never);
    }

    [Fact]
    public async Task Write_over_the_artifact_limit_is_refused()
    {
        var store = new BlobArtifactStore(_container.Object, maxArtifactBytes: 4);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.WriteAsync("tasks/t1/big.bin", new byte[5], null, default));
    }

    [Fact]
    public async Task Open_read_returns_the_content_and_its_stored_type_or_null_when_missing()
    {
        var details = BlobsModelFactory.BlobDownloadDetails(contentLength: 5, contentType: "text/plain; charset=utf-8", lastModified: TestSupportClock);
        Blob("tasks/t1/log.txt").Setup(b => b.DownloadStreamingAsync(It.IsAny<BlobDownloadOptions>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response.FromValue(BlobsModelFactory.BlobDownloadStreamingResult(new MemoryStream(Encoding.UTF8.GetBytes("hello")), details), Mock.Of<Response>()));
        Blob("tasks/t1/none.txt").Setup(b => b.DownloadStreamingAsync(It.IsAny<BlobDownloadOptions>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new RequestFailedException(404, "not found", "BlobNotFound", null));
        var store = new BlobArtifactStore(_container.Object);

        Assert.Equal("hello", await store.ReadTextAsync("tasks/t1/log.txt"));
        await using (var content = await store.OpenReadAsync("tasks/t1/log.txt", default))
        {
            Assert.Equal(new ArtifactInfo("tasks/t1/log.txt", 5, TestSupportClock, "text/plain; charset=utf-8"), content!.Info);
        }

        Assert.Null(await store.OpenReadAsync("tasks/t1/none.txt", default));
    }

    [Fact]
    public async Task List_reads_blobs_under_the_prefix_and_skips_names_the_layout_cannot_address()
    {
        BlobItem Item(string name, long length) =>
            BlobsModelFactory.BlobItem(name: name, properties: BlobsModelFactory.BlobItemProperties(false, contentLength: length, contentType: "application/json", lastModified: TestSupportClock));
        var page = Page<BlobItem>.FromValues([Item("tasks/t1/result.json", 10), Item("tasks/t1/bad name.json", 1), Item("tasks/t1/spec.json", 20)], null, Mock.Of<Response>());
        _container.Setup(c => c.GetBlobsAsync(BlobTraits.None, BlobStates.None, "tasks/t1/", It.IsAny<CancellationToken>()))
            .Returns(AsyncPageable<BlobItem>.FromPages([page]));
        var store = new BlobArtifactStore(_container.Object);

        var items = new List<ArtifactInfo>();
        await foreach (var item in store.ListAsync("tasks/t1/", default))
        {
            items.Add(item);
        }

        Assert.Equal(["tasks/t1/result.json", "tasks/t1/spec.json"], items.Select(i => i.Path));
        Assert.Equal([10L, 20L], items.Select(i => i.Length));
    }

    [Fact]
    public async Task Delete_prefix_refuses_to_purge_everything()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => new BlobArtifactStore(_container.Object).DeletePrefixAsync(string.Empty, default));
    }

    private static readonly DateTimeOffset TestSupportClock = new(2025, 1, 1, 8, 0, 0, TimeSpan.Zero);

    private Mock<BlobClient> Blob(string name)
    {
        if (!_blobs.TryGetValue(name, out var blob))
        {
            _blobs[name] = blob = new Mock<BlobClient>();
        }

        return blob;
    }
}
