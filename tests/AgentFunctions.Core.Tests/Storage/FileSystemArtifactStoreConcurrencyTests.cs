using AgentFunctions.Core.Storage;

namespace AgentFunctions.Core.Tests.Storage;

public sealed class FileSystemArtifactStoreConcurrencyTests : IDisposable
{
    private const string Path1 = "tasks/t1/results/impl.md";

    private readonly TestDirectory _dir = new();
    private readonly FileSystemArtifactStore _store;

    public FileSystemArtifactStoreConcurrencyTests() => _store = new FileSystemArtifactStore(_dir.Root);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Readers_racing_writers_on_one_path_only_ever_see_a_whole_version()
    {
        const int writers = 8;
        const int rounds = 20;
        const int size = 96 * 1024;

        // Each writer's version is one byte value repeated: a torn or mixed read shows two values or a short length.
        static byte[] Version(int writer) => Enumerable.Repeat((byte)(writer + 1), size).ToArray();
        await _store.WriteAsync(Path1, Version(writers), null, CancellationToken.None);

        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var reads = 0;
            while (!stop.IsCancellationRequested)
            {
                await using var content = await _store.OpenReadAsync(Path1, CancellationToken.None);
                Assert.NotNull(content);
                using var buffer = new MemoryStream();
                await content.Content.CopyToAsync(buffer);
                var bytes = buffer.ToArray();
                Assert.Equal(size, bytes.Length);
                Assert.Equal(size, content.Info.Length);
                Assert.All(bytes, b => Assert.Equal(bytes[0], b));
                reads++;
            }

            return reads;
        })).ToList();

        var writerTasks = Enumerable.Range(0, writers).Select(writer => Task.Run(async () =>
        {
            var version = Version(writer);
            for (var round = 0; round < rounds; round++)
            {
                await _store.WriteAsync(Path1, version, null, CancellationToken.None);
            }
        })).ToList();

        await Task.WhenAll(writerTasks);
        await stop.CancelAsync();
        var reads = await Task.WhenAll(readers);

        Assert.All(reads, count => Assert.True(count > 0));
        var final = await File.ReadAllBytesAsync(Path.Combine(_dir.Root, "tasks", "t1", "results", "impl.md"));
        Assert.Equal(size, final.Length);
        Assert.InRange(final[0], 1, writers);
        Assert.Equal(["impl.md"], Directory.GetFiles(Path.Combine(_dir.Root, "tasks", "t1", "results")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Writers_creating_the_same_new_folders_all_succeed()
    {
        var writes = Enumerable.Range(0, 16).Select(i => Task.Run(() =>
            _store.WriteTextAsync($"tasks/t1/artifacts/impl/file-{i:D2}.txt", $"file {i}")));

        await Task.WhenAll(writes);

        var listed = new List<string>();
        await foreach (var item in _store.ListAsync("tasks/t1/", CancellationToken.None))
        {
            listed.Add(item.Path);
        }

        Assert.Equal(Enumerable.Range(0, 16).Select(i => $"tasks/t1/artifacts/impl/file-{i:D2}.txt"), listed);
    }

    [Fact]
    public async Task Of_concurrent_deleters_exactly_one_deletes()
    {
        await _store.WriteTextAsync(Path1, "x");

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Task.Run(() => _store.DeleteAsync(Path1, CancellationToken.None))));

        Assert.Single(results, deleted => deleted);
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir.Root, "tasks", "t1", "results")));
    }
}
