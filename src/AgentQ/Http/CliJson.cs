using System.Text.Json;
using System.Text.Json.Serialization;
using AgentFunctions.Core.Json;

namespace AgentQ.Http;

/// <summary>The contract's JSON dialect (<see cref="CoreJson"/>) as agentq reads and writes it.</summary>
public static class CliJson
{
    /// <summary>Request bodies: the contract dialect, leaving out absent (null) fields.</summary>
    public static JsonSerializerOptions Requests { get; } = CreateRequests();

    /// <summary>Responses are read in the contract dialect itself.</summary>
    public static JsonSerializerOptions Responses => CoreJson.Options;

    /// <summary>JSON agentq prints itself (not passed through from the server): indented, contract dialect.</summary>
    public static JsonSerializerOptions Output => CoreJson.Indented;

    private static JsonSerializerOptions CreateRequests()
    {
        var options = new JsonSerializerOptions(CoreJson.Options) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
