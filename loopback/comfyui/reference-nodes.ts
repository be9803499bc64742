import { node, type NodeInfo } from './node-info.js';

// The nodes that feed a reference image into a render, as their public definitions declare them:
// IPAdapterUnifiedLoader and IPAdapterAdvanced (cubiq/ComfyUI_IPAdapter_plus, IPAdapterPlus.py),
// ReferenceLatent (Flux Kontext, comfy_extras/nodes_edit_model.py), StyleModelApply (Flux Redux,
// nodes.py), and VAEEncode, which turns a loaded image into the latent ReferenceLatent takes.

const IPADAPTER_PRESETS = [
  'LIGHT - SD1.5 only (low strength)',
  'STANDARD (medium strength)',
  'VIT-G (medium strength)',
  'PLUS (high strength)',
  'PLUS FACE (portraits)',
  'FULL FACE - SD1.5 only (portraits stronger)',
];
export const WEIGHT_TYPES = [
  'linear',
  'ease in',
  'ease out',
  'ease in-out',
  'reverse in-out',
  'weak input',
  'weak output',
  'weak middle',
  'strong middle',
  'style transfer',
  'composition',
  'strong style transfer',
  'style and composition',
  'style transfer precise',
  'composition precise',
];

export function referenceNodes(): Record<string, NodeInfo> {
  const ipadapterLoader = node(
    'IPAdapterUnifiedLoader',
    'IPAdapter Unified Loader',
    'ipadapter',
    { model: ['MODEL'], preset: [IPADAPTER_PRESETS] },
    ['MODEL', 'IPADAPTER'],
    false,
    { ipadapter: ['IPADAPTER'] },
  );
  ipadapterLoader.output_name = ['model', 'ipadapter'];
  ipadapterLoader.python_module = 'custom_nodes.ComfyUI_IPAdapter_plus';
  const ipadapterAdvanced = node(
    'IPAdapterAdvanced',
    'IPAdapter Advanced',
    'ipadapter',
    {
      model: ['MODEL'],
      ipadapter: ['IPADAPTER'],
      image: ['IMAGE'],
      weight: ['FLOAT', { default: 1.0, min: -1, max: 5, step: 0.05 }],
      weight_type: [WEIGHT_TYPES],
      combine_embeds: [['concat', 'add', 'subtract', 'average', 'norm average']],
      start_at: ['FLOAT', { default: 0.0, min: 0.0, max: 1.0, step: 0.001 }],
      end_at: ['FLOAT', { default: 1.0, min: 0.0, max: 1.0, step: 0.001 }],
      embeds_scaling: [['V only', 'K+V', 'K+V w/ C penalty', 'K+mean(V) w/ C penalty']],
    },
    ['MODEL'],
    false,
    { image_negative: ['IMAGE'], attn_mask: ['MASK'], clip_vision: ['CLIP_VISION'] },
  );
  ipadapterAdvanced.python_module = 'custom_nodes.ComfyUI_IPAdapter_plus';
  const referenceLatent = node(
    'ReferenceLatent',
    'ReferenceLatent',
    'advanced/conditioning/edit_models',
    { conditioning: ['CONDITIONING'] },
    ['CONDITIONING'],
    false,
    { latent: ['LATENT'] },
  );
  referenceLatent.description =
    'This node sets the guiding latent for an edit model. If the model supports it you can chain multiple to set multiple reference images.';
  referenceLatent.python_module = 'comfy_extras.nodes_edit_model';
  return {
    IPAdapterUnifiedLoader: ipadapterLoader,
    IPAdapterAdvanced: ipadapterAdvanced,
    ReferenceLatent: referenceLatent,
    StyleModelApply: node(
      'StyleModelApply',
      'Apply Style Model',
      'conditioning/style_model',
      {
        conditioning: ['CONDITIONING'],
        style_model: ['STYLE_MODEL'],
        clip_vision_output: ['CLIP_VISION_OUTPUT'],
        strength: ['FLOAT', { default: 1.0, min: 0.0, max: 10.0, step: 0.001 }],
        strength_type: [['multiply', 'attn_bias']],
      },
      ['CONDITIONING'],
    ),
    VAEEncode: node('VAEEncode', 'VAE Encode', 'latent', { pixels: ['IMAGE'], vae: ['VAE'] }, ['LATENT']),
  };
}
