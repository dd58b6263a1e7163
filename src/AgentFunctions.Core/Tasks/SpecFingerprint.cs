using System.Security.Cryptography;
using System.Text.Json;
using AgentFunctions.Core.Json;

namespace AgentFunctions.Core.Tasks;

/// <summary>
/// A hash of a spec's canonical JSON: two submits of the same id are "the same task" exactly when
/// their fingerprints match (idempotent resubmission), otherwise the second one conflicts.
/// </summary>
public static class SpecFingerprint
{
    public static string Compute(TaskSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var json = JsonSerializer.SerializeToUtf8Bytes(spec, CoreJson.Options);
        return Convert.ToHexStringLower(SHA256.HashData(json));
    }
}
