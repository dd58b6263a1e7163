using Xunit;

namespace AgentFunctions.Testing.Azurite;

/// <summary>
/// One Azurite for a whole test project: a test project declares a collection with
/// <c>[CollectionDefinition(AzuriteFixture.Collection)] class AzuriteCollection : ICollectionFixture&lt;AzuriteFixture&gt;</c>
/// and its Azurite tests join it with <c>[Collection(AzuriteFixture.Collection)]</c>. xunit starts it before the first
/// of them and stops it after the last. If it cannot start, every test in the collection fails with the reason.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public const string Collection = "Azurite";

    private AzuriteServer? _server;

    public AzuriteServer Server => _server ?? throw new InvalidOperationException("Azurite has not been started.");

    public string ConnectionString => Server.ConnectionString;

    /// <summary>A container or queue name no other test uses (lowercase letters, digits and hyphens, at most 63).</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 33)];

    public async Task InitializeAsync() => _server = await AzuriteServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
