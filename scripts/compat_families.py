"""The PyTorch names that training programs use, family by family: what scripts/compat_table.py checks
ddp against (curated by hand; add a name here when ddp gains it, so the table shows it)."""
FAMILIES = {
    "Devices, dtypes and global switches": """
        torch.device torch.Tensor.device torch.Tensor.to torch.Tensor.cpu torch.Tensor.cuda torch.Tensor.type
        torch.Tensor.float torch.Tensor.double torch.Tensor.long torch.Tensor.int torch.Tensor.bool
        torch.Tensor.half torch.nn.Module.to torch.nn.Module.float torch.nn.Module.double
        torch.nn.Module.half torch.cuda.is_available torch.cuda.device_count torch.cuda.manual_seed
        torch.cuda.manual_seed_all torch.cuda.amp.GradScaler torch.autocast torch.amp.autocast
        torch.backends.cudnn torch.set_num_threads torch.get_num_threads torch.inference_mode torch.no_grad
        torch.enable_grad torch.set_grad_enabled torch.compile torch.jit.script torch.jit.trace torch.float32 torch.float64 torch.float16
        torch.bfloat16 torch.int64 torch.int32 torch.uint8 torch.bool torch.get_default_dtype
        torch.set_default_dtype torch.use_deterministic_algorithms torch.channels_last torch.channels_last_3d
        torch.Tensor.contiguous torch.Tensor.is_contiguous torch.amp.GradScaler torch.cpu.amp.autocast
        torch.nn.Module.compile
    """,
    "Namespaces": """
        torch.utils.data torch.utils.data.distributed torch.nn.parallel torch.nn.utils torch.nn.utils.rnn
        torch.nn.modules torch.distributed torch.multiprocessing torch.cuda torch.linalg torch.autograd
        torch.optim.lr_scheduler torch.nn.init torch.nn.functional torch.utils.checkpoint torch.special
        torch.testing torch.func torch.autograd.functional torch.profiler torch.autograd.profiler
        torch.autograd.forward_ad torch.autograd.graph torch.compiler torch.version torch._dynamo torch.nn.attention
        torch.utils.hooks torch.fft
    """,
    "Data (torch.utils.data)": """
        torch.utils.data.Dataset torch.utils.data.DataLoader torch.utils.data.TensorDataset
        torch.utils.data.random_split torch.utils.data.Subset torch.utils.data.ConcatDataset
        torch.utils.data.RandomSampler torch.utils.data.SequentialSampler torch.utils.data.BatchSampler
        torch.utils.data.SubsetRandomSampler torch.utils.data.WeightedRandomSampler
        torch.utils.data.distributed.DistributedSampler torch.utils.data.default_collate
        torch.utils.data.IterableDataset torch.utils.data.ChainDataset torch.utils.data.get_worker_info
        torch.utils.data.StackDataset
    """,
    "Legacy forms": """
        torch.autograd.Variable torch.FloatTensor torch.DoubleTensor torch.LongTensor torch.IntTensor
        torch.ByteTensor torch.BoolTensor
    """,
    "torch.distributed": """
        torch.distributed.init_process_group torch.distributed.destroy_process_group
        torch.distributed.is_available torch.distributed.is_initialized torch.distributed.get_rank
        torch.distributed.get_world_size torch.distributed.get_backend torch.distributed.barrier
        torch.distributed.all_reduce torch.distributed.broadcast torch.distributed.reduce
        torch.distributed.all_gather torch.distributed.all_gather_into_tensor torch.distributed.gather
        torch.distributed.scatter torch.distributed.reduce_scatter torch.distributed.all_to_all
        torch.distributed.send torch.distributed.recv torch.distributed.isend torch.distributed.irecv
        torch.distributed.all_gather_object torch.distributed.broadcast_object_list
        torch.distributed.new_group torch.distributed.ReduceOp
        torch.nn.parallel.DistributedDataParallel torch.multiprocessing.spawn
        torch.distributed.optim.ZeroRedundancyOptimizer torch.distributed.algorithms.join.Join
        torch.distributed.algorithms.ddp_comm_hooks.default_hooks.allreduce_hook
        torch.distributed.algorithms.ddp_comm_hooks.default_hooks.fp16_compress_hook
        torch.distributed.algorithms.ddp_comm_hooks.default_hooks.bf16_compress_hook
        torch.distributed.algorithms.ddp_comm_hooks.powerSGD_hook.powerSGD_hook
        torch.distributed.GradBucket torch.distributed.Work.get_future torch.futures.Future torch.futures.wait_all
        torch.distributed.nn.functional.all_gather torch.distributed.nn.functional.all_reduce
        torch.distributed.nn.functional.all_to_all torch.distributed.nn.functional.all_to_all_single
        torch.distributed.nn.functional.broadcast torch.distributed.nn.functional.reduce_scatter
        torch.distributed.all_to_all_single
        torch.distributed.elastic.multiprocessing.errors.record
        torch.distributed.algorithms.ddp_comm_hooks.powerSGD_hook.PowerSGDState torch.nn.SyncBatchNorm
    """,
    "Layers": """
        torch.nn.Linear torch.nn.Bilinear torch.nn.Identity torch.nn.Conv1d torch.nn.Conv2d
        torch.nn.ConvTranspose2d torch.nn.MaxPool2d torch.nn.AvgPool2d torch.nn.AdaptiveAvgPool2d
        torch.nn.AdaptiveMaxPool2d torch.nn.BatchNorm1d torch.nn.BatchNorm2d torch.nn.BatchNorm3d
        torch.nn.LayerNorm torch.nn.GroupNorm torch.nn.InstanceNorm2d torch.nn.Dropout torch.nn.Dropout1d
        torch.nn.Dropout2d torch.nn.Dropout3d torch.nn.Embedding torch.nn.RNN torch.nn.LSTM torch.nn.GRU
        torch.nn.RNNCell torch.nn.LSTMCell torch.nn.GRUCell torch.nn.MultiheadAttention torch.nn.Transformer
        torch.nn.TransformerEncoder torch.nn.TransformerEncoderLayer torch.nn.TransformerDecoder
        torch.nn.TransformerDecoderLayer torch.nn.Upsample torch.nn.PixelShuffle torch.nn.Flatten
        torch.nn.Unflatten torch.nn.Sequential torch.nn.ModuleList torch.nn.ModuleDict
        torch.nn.ParameterList torch.nn.ParameterDict torch.nn.functional.interpolate
        torch.nn.functional.scaled_dot_product_attention torch.nn.functional.conv1d
        torch.nn.functional.conv2d torch.nn.functional.conv_transpose2d torch.nn.functional.group_norm
        torch.nn.functional.pad torch.nn.functional.one_hot torch.nn.functional.embedding
        torch.nn.EmbeddingBag torch.nn.functional.embedding_bag torch.nn.Unfold torch.nn.Fold
        torch.nn.functional.unfold torch.nn.functional.fold torch.nn.ChannelShuffle
        torch.nn.functional.channel_shuffle torch.nn.functional.affine_grid torch.nn.functional.grid_sample
        torch.nn.RMSNorm torch.nn.RReLU torch.nn.Conv3d torch.nn.ConvTranspose3d torch.nn.MaxPool3d
        torch.nn.AvgPool3d torch.nn.AdaptiveAvgPool3d torch.nn.AdaptiveMaxPool3d torch.nn.MaxUnpool2d torch.nn.LPPool2d
        torch.nn.ZeroPad3d torch.nn.LazyLinear torch.nn.LazyConv2d torch.nn.LazyBatchNorm2d torch.nn.Buffer
        torch.nn.functional.rms_norm torch.nn.functional.gumbel_softmax torch.nn.functional.conv3d
        torch.nn.functional.max_unpool2d torch.nn.functional.max_pool2d_with_indices torch.nn.functional.pdist
        torch.nn.FractionalMaxPool2d torch.nn.FractionalMaxPool3d torch.nn.functional.fractional_max_pool2d
        torch.nn.CrossMapLRN2d torch.nn.AdaptiveLogSoftmaxWithLoss torch.nn.LazyConv3d torch.nn.DataParallel
        torch.nn.SyncBatchNorm torch.nn.functional.multi_head_attention_forward
        torch.nn.functional.native_channel_shuffle
    """,
    "Activations": """
        torch.nn.ReLU torch.nn.ReLU6 torch.nn.LeakyReLU torch.nn.ELU torch.nn.SELU torch.nn.PReLU
        torch.nn.GELU torch.nn.SiLU torch.nn.Mish torch.nn.Softplus torch.nn.Softsign torch.nn.Hardtanh
        torch.nn.Hardswish torch.nn.Hardsigmoid torch.nn.LogSigmoid torch.nn.Sigmoid torch.nn.Tanh
        torch.nn.Softmax torch.nn.LogSoftmax torch.nn.functional.gelu torch.nn.functional.elu
        torch.nn.functional.softplus torch.nn.functional.mish torch.nn.functional.logsigmoid
        torch.nn.functional.hardtanh
    """,
    "Losses": """
        torch.nn.CrossEntropyLoss torch.nn.NLLLoss torch.nn.MSELoss torch.nn.L1Loss torch.nn.SmoothL1Loss
        torch.nn.HuberLoss torch.nn.KLDivLoss torch.nn.BCELoss torch.nn.BCEWithLogitsLoss
        torch.nn.CosineEmbeddingLoss torch.nn.MarginRankingLoss torch.nn.TripletMarginLoss
        torch.nn.functional.cross_entropy torch.nn.functional.nll_loss torch.nn.functional.mse_loss
        torch.nn.functional.l1_loss torch.nn.functional.smooth_l1_loss torch.nn.functional.huber_loss
        torch.nn.functional.kl_div torch.nn.functional.binary_cross_entropy
        torch.nn.functional.binary_cross_entropy_with_logits torch.nn.functional.cosine_embedding_loss
        torch.nn.functional.margin_ranking_loss torch.nn.functional.triplet_margin_loss
        torch.nn.CTCLoss torch.nn.functional.ctc_loss torch.nn.MultiMarginLoss
        torch.nn.functional.multi_margin_loss torch.nn.MultiLabelMarginLoss torch.nn.TripletMarginWithDistanceLoss
        torch.nn.NLLLoss2d
    """,
    "torch.nn.utils": """
        torch.nn.utils.clip_grad_norm_ torch.nn.utils.clip_grad_value_ torch.nn.utils.parameters_to_vector
        torch.nn.utils.vector_to_parameters torch.nn.utils.rnn.pad_sequence
        torch.nn.utils.parametrize.register_parametrization
        torch.nn.utils.parametrizations.weight_norm torch.nn.utils.parametrizations.spectral_norm
        torch.nn.utils.parametrizations.orthogonal
        torch.nn.utils.weight_norm torch.nn.utils.spectral_norm torch.nn.utils.fuse_conv_bn_eval torch.nn.utils.skip_init
        torch.nn.utils.stateless.functional_call torch.nn.utils.rnn.pack_padded_sequence
        torch.nn.utils.rnn.unpad_sequence torch.nn.utils.rnn.unpack_sequence
        torch.nn.utils.prune.l1_unstructured torch.nn.utils.prune.ln_structured
        torch.nn.utils.prune.random_unstructured torch.nn.utils.prune.random_structured
        torch.nn.utils.prune.global_unstructured torch.nn.utils.prune.custom_from_mask
        torch.nn.utils.prune.identity torch.nn.utils.prune.remove torch.nn.utils.prune.is_pruned
        torch.nn.utils.prune.L1Unstructured torch.nn.utils.prune.BasePruningMethod
        torch.nn.utils.prune.PruningContainer
    """,
    "Profiling (torch.profiler)": """
        torch.profiler.profile torch.profiler.record_function torch.profiler.ProfilerActivity
        torch.profiler.schedule torch.profiler.ProfilerAction torch.profiler.tensorboard_trace_handler
        torch.autograd.profiler.profile torch.autograd.profiler.record_function
    """,
    "Optimizers": """
        torch.optim.SGD torch.optim.Adam torch.optim.AdamW torch.optim.RMSprop torch.optim.Adagrad
        torch.optim.Adadelta torch.optim.Adamax torch.optim.NAdam torch.optim.RAdam torch.optim.ASGD
        torch.optim.Rprop torch.optim.LBFGS torch.optim.Adafactor torch.optim.SparseAdam torch.optim.Muon
        torch.optim.Optimizer.register_step_pre_hook torch.optim.Optimizer.register_step_post_hook
        torch.optim.Optimizer.register_state_dict_post_hook torch.optim.Optimizer.register_load_state_dict_pre_hook
        torch.optim.optimizer.register_optimizer_step_pre_hook torch.optim.optimizer.register_optimizer_step_post_hook
        torch.optim.swa_utils.AveragedModel torch.optim.swa_utils.SWALR torch.optim.swa_utils.update_bn
        torch.optim.swa_utils.get_ema_multi_avg_fn
    """,
    "Learning-rate schedules": """
        torch.optim.lr_scheduler.LambdaLR torch.optim.lr_scheduler.MultiplicativeLR
        torch.optim.lr_scheduler.StepLR torch.optim.lr_scheduler.MultiStepLR torch.optim.lr_scheduler.ConstantLR
        torch.optim.lr_scheduler.LinearLR torch.optim.lr_scheduler.ExponentialLR
        torch.optim.lr_scheduler.PolynomialLR torch.optim.lr_scheduler.CosineAnnealingLR
        torch.optim.lr_scheduler.CosineAnnealingWarmRestarts torch.optim.lr_scheduler.CyclicLR
        torch.optim.lr_scheduler.OneCycleLR torch.optim.lr_scheduler.ChainedScheduler
        torch.optim.lr_scheduler.SequentialLR torch.optim.lr_scheduler.ReduceLROnPlateau
    """,
    "Tensor API": """
        torch.Tensor.narrow torch.Tensor.new_zeros torch.Tensor.new_ones torch.Tensor.new_full
        torch.Tensor.new_empty torch.Tensor.new_tensor torch.randint torch.norm torch.linalg.norm
        torch.linalg.vector_norm torch.log1p torch.expm1 torch.erf torch.tril torch.triu torch.multinomial
        torch.bernoulli torch.Tensor.normal_ torch.Tensor.uniform_ torch.Tensor.fill_ torch.Tensor.zero_
        torch.Tensor.add_ torch.Tensor.mul_ torch.Tensor.copy_ torch.Tensor.masked_fill_ torch.topk torch.sort
        torch.argsort torch.cumsum torch.cumprod torch.gather torch.scatter torch.scatter_add
        torch.index_select torch.masked_fill torch.masked_select torch.nonzero torch.repeat_interleave
        torch.Tensor.repeat torch.flip torch.roll torch.chunk torch.split torch.unbind torch.einsum torch.bmm
        torch.baddbmm torch.addmm torch.outer torch.diag torch.allclose torch.isclose torch.isfinite
        torch.isnan torch.isinf torch.eq torch.ne torch.lt torch.le torch.gt torch.ge torch.logical_and
        torch.logical_or torch.logical_not torch.logical_xor torch.where torch.clamp torch.prod torch.lerp
        torch.Tensor.__format__ torch.Tensor.tolist torch.Tensor.item torch.Tensor.numpy torch.Tensor.type_as
        torch.Tensor.view_as torch.Tensor.unflatten torch.cat torch.stack torch.squeeze torch.unsqueeze
        torch.unique torch.Tensor.unique torch.unique_consecutive torch.Tensor.unique_consecutive
        torch.is_tensor torch.is_floating_point torch.numel torch.nan_to_num torch.Tensor.nan_to_num
        torch.meshgrid torch.broadcast_tensors torch.broadcast_to torch.searchsorted torch.bucketize torch.cdist
        torch.diff torch.nansum torch.nanmean torch.set_printoptions torch.hstack torch.vstack torch.dstack
        torch.column_stack torch.atleast_1d torch.atleast_2d torch.atleast_3d torch.median torch.Tensor.median
        torch.nanmedian torch.kthvalue torch.quantile torch.nanquantile torch.logaddexp torch.logcumsumexp
        torch.cummax torch.cummin torch.histc torch.take_along_dim torch.rot90
        torch.tensordot torch.kron torch.cross torch.linalg.cross torch.cartesian_prod torch.block_diag
        torch.erfinv torch.Tensor.erfinv torch.logit torch.special.expit torch.special.logit torch.special.ndtr
        torch.special.ndtri torch.special.erfinv torch.special.chebyshev_polynomial_t torch.special.hermite_polynomial_h
        torch.special.hermite_polynomial_he torch.special.laguerre_polynomial_l torch.special.legendre_polynomial_p
        torch.special.modified_bessel_i0 torch.special.modified_bessel_i1
        torch.linalg.inv torch.linalg.det torch.linalg.slogdet torch.linalg.solve torch.linalg.cholesky
        torch.linalg.solve_triangular torch.linalg.eigh torch.linalg.eigvalsh torch.linalg.svd torch.linalg.svdvals
        torch.linalg.pinv torch.linalg.matrix_power torch.linalg.multi_dot torch.linalg.vecdot torch.inverse torch.det
        torch.logdet torch.slogdet torch.cholesky torch.cholesky_solve torch.Tensor.inverse
    """,
    "Math and special functions": """
        torch.tan torch.asinh torch.acosh torch.atanh torch.erfc torch.lgamma torch.digamma torch.polygamma
        torch.mvlgamma torch.i0 torch.sinc torch.sgn torch.signbit torch.xlogy torch.hypot torch.copysign torch.fmax
        torch.fmin torch.heaviside torch.gcd torch.lcm torch.ldexp torch.frexp torch.deg2rad torch.rad2deg
        torch.igamma torch.igammac torch.bitwise_left_shift torch.special.gammaln torch.special.digamma
        torch.special.polygamma torch.special.entr torch.special.erfcx torch.special.log_ndtr
        torch.special.xlog1py torch.special.i0e torch.special.i1 torch.special.i1e torch.special.zeta
        torch.special.bessel_j0 torch.special.bessel_j1 torch.special.bessel_y0 torch.special.bessel_y1
        torch.special.modified_bessel_k0 torch.special.modified_bessel_k1 torch.special.scaled_modified_bessel_k0
        torch.special.scaled_modified_bessel_k1 torch.special.spherical_bessel_j0 torch.special.airy_ai
        torch.Tensor.tan_ torch.Tensor.eq_ torch.Tensor.logical_and_ torch.Tensor.sin_
    """,
    "Indexing, diagonals and splits": """
        torch.diagonal torch.diag_embed torch.diagflat torch.trace torch.Tensor.fill_diagonal_ torch.tril_indices
        torch.triu_indices torch.select torch.take torch.Tensor.put_ torch.index_copy torch.index_put
        torch.Tensor.index_put_ torch.masked_scatter torch.scatter_reduce torch.index_reduce torch.isin torch.bincount
        torch.unravel_index torch.combinations torch.tensor_split torch.hsplit torch.vsplit torch.dsplit torch.ravel
        torch.moveaxis torch.Tensor.unfold torch.Tensor.sum_to_size torch.diagonal_scatter torch.select_scatter
        torch.slice_scatter torch.Tensor.squeeze_ torch.Tensor.unsqueeze_
    """,
    "Statistics, products and windows": """
        torch.cov torch.corrcoef torch.histogram torch.histogramdd torch.mode torch.trapezoid torch.trapz
        torch.cumulative_trapezoid torch.gradient torch.inner torch.vdot torch.dist torch.chain_matmul torch.addmv
        torch.addr torch.addbmm torch.vander torch.matrix_power torch.pinverse torch.renorm torch.hann_window
        torch.hamming_window torch.blackman_window torch.bartlett_window torch.kaiser_window
    """,
    "Torch-level forms, queries and tensor attributes": """
        torch.conv2d torch.dropout torch.layer_norm torch.batch_norm torch.embedding torch.max_pool2d torch.relu_
        torch.kl_div torch.pdist torch.rrelu torch.detach torch.normal torch.poisson torch.binomial torch.asarray
        torch.conv3d torch.conv_transpose3d torch.max_pool3d torch.rms_norm torch.ctc_loss torch.rnn_tanh_cell
        torch.rnn_relu_cell torch.lstm_cell torch.gru_cell torch.cholesky_inverse torch.Tensor.cholesky_inverse
        torch.nonzero_static torch.Tensor.cumsum_ torch.Tensor.cumprod_ torch.Tensor.tril_ torch.Tensor.triu_
        torch.unsafe_chunk torch.unsafe_split torch.unsafe_split_with_sizes torch.Tensor.new_empty_strided
        torch.get_device torch.vmap torch._foreach_add_ torch._foreach_mul_ torch._foreach_lerp_ torch._foreach_norm
        torch._foreach_addcmul_ torch._foreach_sqrt torch._foreach_zero_ torch.compiler.disable
        torch.compiler.is_compiling torch.nn.attention.sdpa_kernel torch.nn.attention.SDPBackend
        torch.utils.hooks.RemovableHandle torch.version.cuda torch.view_as_complex torch.view_as_real torch.polar
        torch.complex torch.complex64 torch.complex128 torch.cfloat torch.cdouble torch.Tensor.untyped_storage
        torch.Tensor.storage torch.fft.fft torch.fft.ifft torch.fft.rfft torch.fft.irfft torch.fft.fft2
        torch.fft.rfft2 torch.fft.irfft2 torch.fft.fftn torch.fft.rfftn torch.fft.irfftn torch.fft.fftshift
        torch.fft.fftfreq torch.fft.rfftfreq torch.fft.hfft torch.fft.ihfft torch.fft.hfft2 torch.fft.ihfft2
        torch.fft.hfftn torch.fft.ihfftn torch.stft torch.istft
        torch.range torch.scalar_tensor torch.empty_strided torch.frombuffer torch.promote_types torch.result_type
        torch.can_cast torch.is_nonzero torch.is_signed torch.typename torch.pi torch.e torch.inf torch.nan
        torch.dtype torch.Tensor.nbytes torch.Tensor.itemsize torch.Tensor.data_ptr torch.Tensor.storage_offset
        torch.Tensor.ndimension torch.Tensor.retains_grad torch.Tensor.new torch.Tensor.random_ torch.Tensor.cauchy_
        torch.Tensor.geometric_ torch.Tensor.log_normal_ torch.Tensor.is_cpu torch.Tensor.layout torch.Tensor.real
        torch.Tensor.resize_ torch.abs_ torch.sigmoid_ torch.fill torch.fill_ torch.zero_ torch.absolute
        torch.adjoint torch.concatenate torch.real torch.imag torch.conj torch.angle torch.Tensor.angle
        torch.as_strided torch.Tensor.as_strided torch.uint16 torch.uint32 torch.uint64 torch.GradScaler
    """,
    "torch.linalg, the rest": """
        torch.linalg.qr torch.linalg.lstsq torch.linalg.lu_factor torch.linalg.lu torch.linalg.lu_solve
        torch.linalg.matrix_rank torch.linalg.matrix_exp torch.linalg.cond torch.linalg.inv_ex
        torch.linalg.cholesky_ex torch.linalg.solve_ex torch.linalg.tensorinv torch.linalg.tensorsolve
        torch.linalg.vander torch.linalg.householder_product torch.qr torch.svd torch.lu torch.lu_unpack
        torch.matrix_exp torch.svd_lowrank torch.pca_lowrank torch.geqrf torch.orgqr torch.ormqr
    """,
    "Function transforms and testing": """
        torch.testing.assert_close torch.testing.make_tensor torch.func.grad torch.func.grad_and_value
        torch.func.vjp torch.func.jacrev torch.func.jacfwd torch.func.vmap torch.func.functional_call
        torch.autograd.functional.jacobian torch.autograd.functional.vjp torch.autograd.functional.jvp
        torch.autograd.functional.hessian torch.autograd.functional.hvp torch.autograd.functional.vhp
        torch.func.hessian torch.func.stack_module_state torch.autograd.forward_ad.dual_level
        torch.autograd.forward_ad.make_dual torch.autograd.forward_ad.unpack_dual
    """,
    "Distributions (torch.distributions)": """
        torch.distributions.Categorical torch.distributions.Normal torch.distributions.Bernoulli
        torch.distributions.Uniform torch.distributions.Independent torch.distributions.kl_divergence
        torch.distributions.Distribution
        torch.distributions.MultivariateNormal torch.distributions.LowRankMultivariateNormal
        torch.distributions.Exponential torch.distributions.Laplace torch.distributions.Cauchy
        torch.distributions.Gumbel torch.distributions.HalfNormal torch.distributions.LogNormal
        torch.distributions.Geometric torch.distributions.OneHotCategorical torch.distributions.RelaxedBernoulli
        torch.distributions.RelaxedOneHotCategorical torch.distributions.MixtureSameFamily
        torch.distributions.TransformedDistribution torch.distributions.Gamma torch.distributions.Beta
        torch.distributions.Dirichlet torch.distributions.StudentT torch.distributions.Poisson
        torch.distributions.Binomial torch.distributions.Multinomial torch.distributions.transforms.TanhTransform
        torch.distributions.transforms.AffineTransform torch.distributions.biject_to
        torch.distributions.Kumaraswamy torch.distributions.VonMises torch.distributions.InverseGamma
        torch.distributions.FisherSnedecor torch.distributions.GeneralizedPareto torch.distributions.LogisticNormal
        torch.distributions.Wishart torch.distributions.LKJCholesky torch.distributions.ExponentialFamily
        torch.distributions.transforms.CatTransform torch.distributions.transforms.StackTransform
        torch.distributions.transforms.CorrCholeskyTransform
        torch.distributions.transforms.CumulativeDistributionTransform torch.distributions.constraints.corr_cholesky
        torch.distributions.constraints.cat torch.distributions.constraints.stack
    """,
    "Saving": """
        torch.save torch.load torch.serialization.add_safe_globals torch.serialization.safe_globals
    """,
    "torchvision pieces (ddp.data)": """
        torchvision.datasets.MNIST torchvision.datasets.FashionMNIST torchvision.datasets.KMNIST
        torchvision.datasets.CIFAR10 torchvision.datasets.FakeData torchvision.transforms.Compose
        torchvision.transforms.ToTensor torchvision.transforms.Normalize torchvision.transforms.RandomCrop
        torchvision.transforms.RandomHorizontalFlip torchvision.transforms.RandomRotation
        torchvision.transforms.Resize torchvision.transforms.CenterCrop torchvision.transforms.ColorJitter
        torchvision.transforms.RandomResizedCrop torchvision.transforms.Pad torchvision.transforms.Grayscale
        torchvision.transforms.RandomGrayscale torchvision.transforms.GaussianBlur torchvision.transforms.RandomErasing
        torchvision.transforms.RandomApply torchvision.transforms.ConvertImageDtype
        torchvision.transforms.InterpolationMode torchvision.transforms.PILToTensor torchvision.transforms.ToPILImage
        torchvision.transforms.RandomChoice torchvision.transforms.RandomOrder torchvision.transforms.Lambda
        torchvision.transforms.functional.to_tensor torchvision.transforms.functional.pil_to_tensor
        torchvision.transforms.functional.to_pil_image torchvision.transforms.functional.normalize
        torchvision.transforms.functional.resize torchvision.transforms.functional.center_crop
        torchvision.transforms.functional.crop torchvision.transforms.functional.pad
        torchvision.transforms.functional.hflip torchvision.transforms.functional.vflip
        torchvision.transforms.functional.rotate torchvision.transforms.functional.affine
        torchvision.transforms.functional.rgb_to_grayscale torchvision.transforms.functional.adjust_brightness
        torchvision.transforms.functional.adjust_contrast torchvision.transforms.functional.adjust_saturation
        torchvision.transforms.functional.adjust_hue
        torchvision.transforms.RandomInvert torchvision.transforms.RandomPosterize torchvision.transforms.RandomSolarize
        torchvision.transforms.RandomAdjustSharpness torchvision.transforms.RandomAutocontrast
        torchvision.transforms.RandomEqualize torchvision.transforms.AutoAugment
        torchvision.transforms.AutoAugmentPolicy torchvision.transforms.RandAugment
        torchvision.transforms.TrivialAugmentWide torchvision.transforms.AugMix
        torchvision.transforms.functional.invert torchvision.transforms.functional.posterize
        torchvision.transforms.functional.solarize torchvision.transforms.functional.adjust_sharpness
        torchvision.transforms.functional.autocontrast torchvision.transforms.functional.equalize
        torchvision.datasets.ImageFolder torchvision.datasets.DatasetFolder
        torchvision.utils.make_grid torchvision.utils.save_image
        torchvision.models.resnet18 torchvision.models.resnet34 torchvision.models.resnet50
        torchvision.models.resnet101 torchvision.models.resnet152 torchvision.models.resnext50_32x4d
        torchvision.models.wide_resnet50_2 torchvision.models.vgg11 torchvision.models.vgg16
        torchvision.models.vgg19 torchvision.models.vgg16_bn torchvision.models.alexnet
        torchvision.models.mobilenet_v2 torchvision.models.squeezenet1_1 torchvision.models.densenet121
        torchvision.models.ResNet18_Weights
        torchvision.transforms.RandomCrop.get_params torchvision.transforms.ColorJitter.get_params
        torchvision.transforms.RandomErasing.get_params torchvision.transforms.RandomResizedCrop.get_params
        torchvision.transforms.RandomRotation.get_params torchvision.transforms.RandomAffine.get_params
        torchvision.transforms.RandomPerspective.get_params torchvision.transforms.GaussianBlur.get_params
        torchvision.transforms.FiveCrop torchvision.transforms.TenCrop torchvision.transforms.RandomPerspective
        torchvision.transforms.functional.five_crop torchvision.transforms.functional.ten_crop
        torchvision.transforms.functional.perspective torchvision.transforms.functional.resized_crop
        torchvision.transforms.functional.gaussian_blur torchvision.transforms.functional.erase
        torchvision.ops.box_iou torchvision.ops.nms torchvision.ops.batched_nms torchvision.ops.box_area
        torchvision.ops.box_convert torchvision.ops.clip_boxes_to_image torchvision.ops.remove_small_boxes
        torchvision.io.read_image torchvision.io.decode_image torchvision.io.read_file torchvision.io.write_png
        torchvision.io.write_jpeg torchvision.io.encode_png torchvision.io.encode_jpeg torchvision.io.ImageReadMode
    """,
    "Reproducibility and debugging": """
        torch.manual_seed torch.seed torch.initial_seed torch.get_rng_state torch.set_rng_state
        torch.Generator torch.Generator.manual_seed torch.Generator.get_state torch.Generator.set_state
        torch.autograd.set_detect_anomaly torch.autograd.detect_anomaly torch.autograd.grad
        torch.autograd.Function torch.autograd.gradcheck torch.autograd.gradgradcheck torch.utils.checkpoint.checkpoint
        torch.utils.checkpoint.checkpoint_sequential
    """,
    "Module and tensor hooks": """
        torch.nn.Module.register_forward_pre_hook torch.nn.Module.register_forward_hook
        torch.nn.Module.register_full_backward_pre_hook torch.nn.Module.register_full_backward_hook
        torch.nn.Module.register_backward_hook
        torch.nn.modules.module.register_module_forward_pre_hook torch.nn.modules.module.register_module_forward_hook
        torch.nn.modules.module.register_module_full_backward_pre_hook
        torch.nn.modules.module.register_module_full_backward_hook
        torch.nn.modules.module.register_module_parameter_registration_hook
        torch.nn.modules.module.register_module_buffer_registration_hook
        torch.nn.modules.module.register_module_module_registration_hook
        torch.Tensor.register_hook torch.Tensor.register_post_accumulate_grad_hook torch.autograd.graph.Node
        torch.autograd.graph.register_multi_grad_hook torch.autograd.graph.get_gradient_edge
        torch.autograd.graph.increment_version torch.autograd.graph.save_on_cpu
        torch.autograd.graph.saved_tensors_hooks torch.autograd.graph.disable_saved_tensors_hooks
        torch.nn.Module.register_state_dict_pre_hook torch.nn.Module.register_state_dict_post_hook
        torch.nn.Module.register_load_state_dict_pre_hook torch.nn.Module.register_load_state_dict_post_hook
        torch.nn.Module.get_extra_state torch.nn.Module.set_extra_state torch.nn.Module.to_empty
    """,
}
