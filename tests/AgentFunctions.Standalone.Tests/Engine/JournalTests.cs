using AgentFunctions.Standalone.Engine;
using AgentFunctions.Standalone.Storage;
using AgentFunctions.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentFunctions.Standalone.Tests.Engine;

/// <summary>The journal on a real SQLite file: answers after the commit, and stops for good on a failure.</summary>
public sealed class JournalTests : IAsyncLifetime
{
    private readonly string _directory = TempPaths.NewDirectory("journal");
    private readonly List<Exception> _faults = [];
    private readonly SemaphoreSlim _faulted = new(0);
    private TaskDatabase _database = null!;
    private Journal _journal = null!;

    public Task InitializeAsync()
    {
        _database = new TaskDatabase(Path.Combine(_directory, "agentfunctions.db"));
        _database.Initialize();
        _journal = new Journal(_database, TimeProvider.System, new StandaloneOptions(), NullLogger<Journal>.Instance);
        _journal.Start([], lastOutboxId: 0, onCommitted: _ => { }, onFault: fault =>
        {
            lock (_faults)
            {
                _faults.Add(fault);
            }

            _faulted.Release();
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _journal.StopAsync();
        _journal.Dispose();
        SqliteConnection.ClearAllPools();
        TempPaths.TryDelete(_directory);
    }

    [Fact]
    public async Task Operations_are_answered_after_their_rows_are_committed()
    {
        var writes = Enumerable.Range(0, 50).Select(i => _journal.ExecuteAsync(context =>
        {
            context.OutboxJson($"task-{i}", OutboxKinds.Result, "{}");
            return i;
        })).ToList();

        var answers = await Task.WhenAll(writes);

        Assert.Equal(Enumerable.Range(0, 50), answers);
        Assert.Equal(50L, CountOutboxRows());
        Assert.Null(_journal.Fault);
    }

    [Fact]
    public async Task An_operation_that_throws_stops_the_journal_and_reports_the_fault_once()
    {
        var failing = _journal.ExecuteAsync<bool>(_ => throw new InvalidOperationException("decider bug"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        Assert.Equal("decider bug", error.Message);
        Assert.True(await _faulted.WaitAsync(TimeSpan.FromSeconds(10)));
        var later = await Assert.ThrowsAsync<InvalidOperationException>(() => _journal.ExecuteAsync(_ => true));
        Assert.Equal("The engine stopped after a storage failure.", later.Message);
        Assert.Single(_faults);
        Assert.Same(error, _journal.Fault);
    }

    [Fact]
    public async Task A_failed_commit_stops_the_journal_and_stores_nothing_of_its_batch()
    {
        // Another connection takes the table away: the next batch cannot be written.
        using (var connection = _database.Open())
        using (var drop = connection.CreateCommand())
        {
            drop.CommandText = "DROP TABLE task_events";
            drop.ExecuteNonQuery();
        }

        var write = _journal.ExecuteAsync(context =>
        {
            context.OutboxJson("task-1", OutboxKinds.Result, "{}");
            context.Purge("task-0");
            return true;
        });

        await Assert.ThrowsAsync<SqliteException>(() => write);
        Assert.True(await _faulted.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0L, CountOutboxRows());
        await Assert.ThrowsAsync<InvalidOperationException>(() => _journal.ExecuteAsync(_ => true));
    }

    private long CountOutboxRows()
    {
        using var connection = _database.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM outbox";
        return (long)count.ExecuteScalar()!;
    }
}
