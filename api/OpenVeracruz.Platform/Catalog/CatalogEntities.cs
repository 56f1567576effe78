using System.Security.Cryptography;
using System.Text;
using NetTopologySuite.Geometries;

namespace OpenVeracruz.Platform.Catalog;

/// <summary>A publishing organisation (CKAN organization): a municipal area that owns data.</summary>
public sealed class Organization
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required string Title { get; set; }
    public string Description { get; set; } = "";
    public string ImageUrl { get; set; } = "";
    public DateTime Created { get; set; }
}

/// <summary>
/// A staff account's membership of an organization (CKAN's member with a capacity: member, editor or admin). Editors and
/// supervisors change only the datasets of the organizations where they are editor or admin; admins change every one.
/// </summary>
public sealed class OrganizationMember
{
    public Guid OrganizationId { get; set; }
    public required string UserId { get; set; }
    public required string Capacity { get; set; }
    public DateTime Created { get; set; }
}

/// <summary>A thematic group of datasets (CKAN group).</summary>
public sealed class Group
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required string Title { get; set; }
    public string Description { get; set; } = "";
    public DateTime Created { get; set; }
}

/// <summary>A dataset (CKAN package). Bundled ones mirror a datasets/&lt;id&gt;/dataset.json.</summary>
public sealed class Dataset
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required string Title { get; set; }
    public string Notes { get; set; } = "";
    public Guid OrganizationId { get; set; }
    public Organization? Organization { get; set; }
    public required string LicenseId { get; set; }
    public bool Private { get; set; }
    public string State { get; set; } = "active";
    public string SourceUrl { get; set; } = "";
    public string SourceName { get; set; } = "";
    public string Attribution { get; set; } = "";
    public string Version { get; set; } = "";
    public string? LayerId { get; set; }
    /// <summary>"bundled" (mirrors datasets/&lt;name&gt;/dataset.json, changed there) or "api" (created by staff through the API).</summary>
    public string Origin { get; set; } = "api";
    public bool Synthetic { get; set; }
    public string UpdateFrequency { get; set; } = "";
    public string TemporalCoverage { get; set; } = "";
    /// <summary>Spatial coverage (envelope of the data), CRS84.</summary>
    public Polygon? Spatial { get; set; }
    public DateTime MetadataCreated { get; set; }
    public DateTime MetadataModified { get; set; }
    public List<DatasetTag> Tags { get; set; } = [];
    public List<DatasetGroup> Groups { get; set; } = [];
    public List<Resource> Resources { get; set; } = [];
}

public sealed class DatasetTag
{
    public Guid DatasetId { get; set; }
    public required string Name { get; set; }
}

public sealed class DatasetGroup
{
    public Guid DatasetId { get; set; }
    public Guid GroupId { get; set; }
    public Group? Group { get; set; }
}

/// <summary>A distribution of a dataset (CKAN resource): a download, an API door or a file.</summary>
public sealed class Resource
{
    public Guid Id { get; set; }
    public Guid DatasetId { get; set; }
    public int Position { get; set; }
    public required string Name { get; set; }
    public string Description { get; set; } = "";
    public required string Format { get; set; }
    public required string MimeType { get; set; }
    /// <summary>Site-relative path (e.g. /downloads/parcels.csv) or an absolute URL.</summary>
    public required string Url { get; set; }
    public string? LayerId { get; set; }
    public bool DatastoreActive { get; set; }
    public string State { get; set; } = "active";
    public DateTime Created { get; set; }
    public DateTime LastModified { get; set; }
    public long DownloadCount { get; set; }
    /// <summary>Where a recurring refresh fetches a new version of the file from (http/https), with its cron schedule.</summary>
    public string? RefreshUrl { get; set; }
    public string? RefreshCron { get; set; }
}

public static class StableId
{
    /// <summary>A name-based UUID, so bundled datasets and resources keep their ids across reloads.</summary>
    public static Guid From(params string[] parts)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("openveracruz:" + string.Join("/", parts)));
        var bytes = hash[..16];
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x50); // version 5-style marker
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes);
    }
}
