using System.Globalization;
using System.Text.Json.Nodes;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Catalog;

/// <summary>Catalog rows in the dictionary shapes CKAN clients expect (package, resource, organization, group, tag).</summary>
public static class CkanDictionaries
{
    public static string Time(DateTime t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);

    public static string Absolute(string baseUrl, string url) => url.StartsWith('/') ? baseUrl + url : url;

    public static JsonObject Organization(Organization o, int? packageCount = null)
    {
        var d = new JsonObject
        {
            ["id"] = o.Id.ToString(), ["name"] = o.Name, ["title"] = o.Title, ["display_name"] = o.Title,
            ["description"] = o.Description, ["image_url"] = o.ImageUrl, ["image_display_url"] = o.ImageUrl,
            ["created"] = Time(o.Created), ["is_organization"] = true, ["type"] = "organization",
            ["state"] = "active", ["approval_status"] = "approved",
        };
        if (packageCount is { } n) d["package_count"] = n;
        return d;
    }

    public static JsonObject Group(Group g, int? packageCount = null)
    {
        var d = new JsonObject
        {
            ["id"] = g.Id.ToString(), ["name"] = g.Name, ["title"] = g.Title, ["display_name"] = g.Title,
            ["description"] = g.Description, ["image_url"] = "", ["image_display_url"] = "",
            ["created"] = Time(g.Created), ["is_organization"] = false, ["type"] = "group",
            ["state"] = "active", ["approval_status"] = "approved",
        };
        if (packageCount is { } n) d["package_count"] = n;
        return d;
    }

    public static JsonObject Tag(string name) => new()
    {
        ["id"] = StableId.From("tag", name).ToString(), ["name"] = name, ["display_name"] = name, ["state"] = "active", ["vocabulary_id"] = null,
    };

    public static JsonObject Resource(Resource r, string baseUrl) => new()
    {
        ["id"] = r.Id.ToString(), ["package_id"] = r.DatasetId.ToString(), ["name"] = r.Name, ["description"] = r.Description,
        ["format"] = r.Format, ["mimetype"] = r.MimeType, ["url"] = Absolute(baseUrl, r.Url), ["url_type"] = null,
        ["position"] = r.Position, ["state"] = r.State, ["created"] = Time(r.Created), ["last_modified"] = Time(r.LastModified),
        ["metadata_modified"] = Time(r.LastModified), ["datastore_active"] = r.DatastoreActive, ["size"] = null, ["hash"] = "",
        ["cache_url"] = null, ["resource_type"] = null, ["download_count"] = r.DownloadCount,
        ["refresh_url"] = r.RefreshUrl, ["refresh_cron"] = r.RefreshCron,
    };

    public static JsonObject Package(Dataset d, string baseUrl)
    {
        var license = Licenses.Find(d.LicenseId);
        var org = d.Organization!;
        var extras = new JsonArray(
            Extra("source", d.SourceName),
            Extra("attribution", d.Attribution),
            Extra("frequency", d.UpdateFrequency),
            Extra("temporal", d.TemporalCoverage),
            Extra("synthetic", d.Synthetic ? "true" : "false"));
        if (d.Spatial is not null) extras.Add(Extra("spatial", GeoJson.Write(d.Spatial)));
        if (d.LayerId is not null) extras.Add(Extra("ogc_collection", $"{baseUrl}/ogc/collections/{d.LayerId}"));
        return new JsonObject
        {
            ["id"] = d.Id.ToString(), ["name"] = d.Name, ["title"] = d.Title, ["type"] = "dataset", ["notes"] = d.Notes,
            ["author"] = org.Title, ["author_email"] = null, ["maintainer"] = org.Title, ["maintainer_email"] = null,
            ["license_id"] = d.LicenseId, ["license_title"] = license?.Title ?? d.LicenseId, ["license_url"] = license?.Url,
            ["isopen"] = license?.OpenData ?? false, ["url"] = d.SourceUrl, ["version"] = d.Version,
            ["state"] = d.State, ["private"] = d.Private, ["creator_user_id"] = null,
            ["metadata_created"] = Time(d.MetadataCreated), ["metadata_modified"] = Time(d.MetadataModified),
            ["owner_org"] = org.Id.ToString(), ["organization"] = Organization(org),
            ["num_tags"] = d.Tags.Count, ["tags"] = new JsonArray(d.Tags.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => (JsonNode)Tag(t.Name)).ToArray()),
            ["groups"] = new JsonArray(d.Groups.Where(g => g.Group is not null).OrderBy(g => g.Group!.Name, StringComparer.Ordinal).Select(g => (JsonNode)Group(g.Group!)).ToArray()),
            ["num_resources"] = d.Resources.Count(r => r.State == "active"),
            ["resources"] = new JsonArray(d.Resources.Where(r => r.State == "active").OrderBy(r => r.Position).Select(r => (JsonNode)Resource(r, baseUrl)).ToArray()),
            ["extras"] = extras,
            ["relationships_as_object"] = new JsonArray(), ["relationships_as_subject"] = new JsonArray(),
        };
    }

    private static JsonObject Extra(string key, string value) => new() { ["key"] = key, ["value"] = value };

    public static JsonObject License(License l) => new()
    {
        ["id"] = l.Id, ["title"] = l.Title, ["url"] = l.Url, ["family"] = l.Family, ["status"] = "active",
        ["od_conformance"] = l.OpenData ? "approved" : "not reviewed", ["osd_conformance"] = "not reviewed",
        ["domain_content"] = false, ["domain_data"] = true, ["domain_software"] = false, ["is_generic"] = false,
        ["is_okd_compliant"] = l.OpenData, ["is_osi_compliant"] = false, ["maintainer"] = "",
    };
}
