using System.Collections.Frozen;
using System.IO.Compression;
using System.Security.Cryptography;

namespace AgentFunctions.Api.Dashboard;

/// <summary>
/// The dashboard's files, embedded in this assembly (Dashboard/wwwroot, logical names <c>dashboard/…</c>) so both hosts
/// serve the same page and nothing is fetched from elsewhere. Read and compressed once per process.
/// </summary>
public sealed class DashboardAssets
{
    /// <summary>The page <c>GET /api/dashboard</c> answers.</summary>
    public const string IndexName = "index.html";

    private const string ResourcePrefix = "dashboard/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly FrozenDictionary<string, DashboardAsset> _assets;

    public DashboardAssets()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var assets = new Dictionary<string, DashboardAsset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            // RecursiveDir uses the build machine's separator.
            var logical = resource.Replace('\\', '/');
            if (!logical.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var name = logical[ResourcePrefix.Length..];
            if (!ContentTypes.TryGetValue(Path.GetExtension(name), out var contentType))
            {
                throw new InvalidOperationException($"The dashboard asset '{name}' has no known content type; add its extension to {nameof(DashboardAssets)}.");
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            var gzip = Compress(content);
            assets[name] = new DashboardAsset(name, contentType, content, ETagOf(content, string.Empty), gzip, ETagOf(content, "-gzip"));
        }

        if (!assets.ContainsKey(IndexName))
        {
            throw new InvalidOperationException($"The dashboard's {IndexName} is not embedded in {assembly.GetName().Name}.");
        }

        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public IEnumerable<string> Names => _assets.Keys;

    /// <summary>The asset by its path below <c>/api/dashboard/</c>; only embedded names match, so no path reaches the disk.</summary>
    public DashboardAsset? Find(string name) => _assets.GetValueOrDefault(name);

    private static byte[] Compress(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }

    /// <summary>A strong validator: the content's hash, with a suffix per encoding (RFC 9110 wants a different tag per representation).</summary>
    private static string ETagOf(byte[] content, string suffix) =>
        "\"" + Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 16)) + suffix + "\"";
}
