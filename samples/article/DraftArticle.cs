namespace Dspy.Samples.Article;

/// <summary>DSPy's homepage <c>Outline</c> signature.</summary>
/// <param name="Topic">The topic of the article.</param>
/// <param name="Title">The article's title.</param>
/// <param name="Sections">The top-level section headings.</param>
/// <param name="SectionSubheadings">Each section heading with its subheadings.</param>
[Instructions("Outline a thorough overview of a topic.")]
public sealed record Outline(
    [property: InputField] string Topic,
    [property: OutputField] string Title,
    [property: OutputField] List<string> Sections,
    [property: OutputField(Desc = "mapping from section headings to subheadings")] Dictionary<string, List<string>> SectionSubheadings);

/// <summary>DSPy's homepage <c>DraftSection</c> signature.</summary>
/// <param name="Topic">The topic (the outline's title).</param>
/// <param name="SectionHeading">The section's markdown heading.</param>
/// <param name="SectionSubheadings">The section's markdown subheadings.</param>
/// <param name="Content">The drafted section.</param>
[Instructions("Draft a top-level section of an article.")]
public sealed record DraftSection(
    [property: InputField] string Topic,
    [property: InputField] string SectionHeading,
    [property: InputField] List<string> SectionSubheadings,
    [property: OutputField(Desc = "markdown-formatted section")] string Content);

/// <summary>
/// DSPy's homepage multi-stage pipeline: one chain of thought outlines the topic, another drafts each section of the
/// outline. An optimizer can tune both predictors from a metric on the final article alone.
/// </summary>
public sealed class DraftArticle : Module
{
    /// <summary>Outlines the topic (DSPy path <c>build_outline.predict</c>).</summary>
    public ChainOfThought BuildOutline { get; } = new(Signature.FromType<Outline>());

    /// <summary>Drafts one section of the outline (DSPy path <c>draft_section.predict</c>).</summary>
    public ChainOfThought DraftSection { get; } = new(Signature.FromType<DraftSection>());

    /// <inheritdoc/>
    protected override async Task<Prediction> ForwardAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken)
    {
        var outline = await BuildOutline.CallAsync(inputs, cancellationToken);
        var title = outline.Get<string>("title");
        var sections = new List<string>();
        foreach (var (heading, subheadings) in outline.Get<Dictionary<string, List<string>>>("section_subheadings"))
        {
            var section = await DraftSection.CallAsync(new Dictionary<string, object?>
            {
                ["topic"] = title,
                ["section_heading"] = $"## {heading}",
                ["section_subheadings"] = subheadings.Select(s => $"### {s}").ToList(),
            }, cancellationToken);
            sections.Add(section.Get<string>("content"));
        }
        return new Prediction { ["title"] = title, ["sections"] = sections };
    }
}
