/**
 * How DigitalOcean's built-in tools show in a /v1/messages reply. UNVERIFIED (§3.4: no source shows
 * a reply): the emulator uses Anthropic's own server-tool shapes — `server_tool_use` +
 * `web_search_tool_result` (web search), `mcp_tool_use` + `mcp_tool_result` (Anthropic's MCP
 * connector) — and the same pattern for a knowledge base (`server_tool_use` named
 * knowledge_base_retrieval + `knowledge_base_retrieval_tool_result`). The blocks come before the
 * answer's text, as Anthropic sends them; an MCP authorization never appears in them.
 */
import { KB_PASSAGES, mcpOutput, mcpToolName, webResultCount, type BuiltInTool } from '../tools/builtIn';
import { shortId } from '../util/ids';

export type BuiltInBlock = Record<string, unknown> & {
  type: 'server_tool_use' | 'web_search_tool_result' | 'knowledge_base_retrieval_tool_result' | 'mcp_tool_use' | 'mcp_tool_result';
};

export function builtInToolBlocks(tools: BuiltInTool[], query: string): BuiltInBlock[] {
  return tools.flatMap((tool): BuiltInBlock[] => {
    switch (tool.type) {
      case 'web_search': {
        const id = `srvtoolu_${shortId()}`;
        const results = Array.from({ length: webResultCount(tool) }, (_, k) => ({
          type: 'web_search_result',
          url: `https://example.com/search-result-${k + 1}`,
          title: `Result ${k + 1} for ${query.slice(0, 40)}`,
          page_age: null,
        }));
        return [
          { type: 'server_tool_use', id, name: 'web_search', input: { query } },
          { type: 'web_search_tool_result', tool_use_id: id, content: results },
        ];
      }
      case 'knowledge_base_retrieval': {
        const id = `srvtoolu_${shortId()}`;
        const passages = Array.from({ length: KB_PASSAGES }, (_, k) => ({
          type: 'knowledge_base_passage',
          text: `Passage ${k + 1} of ${tool.knowledgeBaseId} about ${query.slice(0, 40)}`,
        }));
        return [
          { type: 'server_tool_use', id, name: 'knowledge_base_retrieval', input: { query, knowledge_base_id: tool.knowledgeBaseId } },
          { type: 'knowledge_base_retrieval_tool_result', tool_use_id: id, content: passages },
        ];
      }
      case 'mcp': {
        const id = `mcptoolu_${shortId()}`;
        return [
          { type: 'mcp_tool_use', id, name: mcpToolName(tool), server_name: tool.serverLabel, input: {} },
          { type: 'mcp_tool_result', tool_use_id: id, is_error: false, content: [{ type: 'text', text: mcpOutput(tool) }] },
        ];
      }
    }
  });
}
