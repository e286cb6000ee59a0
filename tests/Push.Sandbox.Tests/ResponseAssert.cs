using System.Net;
using System.Text.Json;

namespace Push.Sandbox.Tests;

internal static class ResponseAssert
{
    public static async Task ApnsReasonAsync(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status} {reason}, got {(int)response.StatusCode} {body}");
        using var json = JsonDocument.Parse(body);
        Assert.Equal(reason, json.RootElement.GetProperty("reason").GetString());
        Assert.True(response.Headers.Contains("apns-id"));
    }

    /// <summary>Google's error shape: {"error":{"code","message","status","details"}}; returns the root for more checks.</summary>
    public static async Task<JsonElement> GoogleErrorAsync(HttpResponseMessage response, HttpStatusCode status, string canonicalStatus)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode} {body}");
        using var json = JsonDocument.Parse(body);
        var error = json.RootElement.GetProperty("error");
        Assert.Equal((int)status, error.GetProperty("code").GetInt32());
        Assert.Equal(canonicalStatus, error.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        return error.Clone();
    }

    public static string? FcmErrorCode(JsonElement error) =>
        error.TryGetProperty("details", out var details)
            ? details.EnumerateArray()
                .Where(d => d.GetProperty("@type").GetString() == "type.googleapis.com/google.firebase.fcm.v1.FcmError")
                .Select(d => d.GetProperty("errorCode").GetString())
                .FirstOrDefault()
            : null;
}
