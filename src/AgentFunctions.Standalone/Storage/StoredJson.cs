using System.Text.Json;
using System.Text.Json.Serialization;
using AgentFunctions.Core.Json;

namespace AgentFunctions.Standalone.Storage;

/// <summary>
/// The JSON of rows the engine writes again and again (task state, history events): the contract dialect without
/// null properties, which read back as null anyway. A task's state is rewritten in every commit that changes it, and
/// its nulls were a third of it.
/// </summary>
public static class StoredJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(CoreJson.Options) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
