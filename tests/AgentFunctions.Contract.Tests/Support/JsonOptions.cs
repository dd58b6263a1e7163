using System.Text.Json;

namespace AgentFunctions.Contract.Tests.Support;

internal static class JsonOptions
{
    /// <summary>camelCase, as a client writes JSON bodies.</summary>
    public static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
}
