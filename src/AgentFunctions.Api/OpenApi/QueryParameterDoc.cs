namespace AgentFunctions.Api.OpenApi;

/// <summary>
/// Endpoint metadata: a query parameter the handler reads itself (the handlers take the request, so the OpenAPI
/// generator cannot see them); <see cref="ApiDocumentTransformers"/> adds it to the operation.
/// </summary>
/// <param name="Type">The JSON schema type: <c>string</c> or <c>integer</c>.</param>
public sealed record QueryParameterDoc(string Name, string Description, string Type = "string");
