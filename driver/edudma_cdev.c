// SPDX-License-Identifier: GPL-2.0
/*
 * edudma: the character devices /dev/edudmaN and their file operations.
 */
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "edudma.h"
#include "edudma_compat.h"

static dev_t edudma_devt;
static struct class *edudma_class;
static DEFINE_IDA(edudma_minors);

static int edudma_open(struct inode *inode, struct file *file)
{
	struct edudma_dev *edev = container_of(inode->i_cdev,
					       struct edudma_dev, cdev);
	struct edudma_file *efile;
	int ret = 0;

	efile = kzalloc(sizeof(*efile), GFP_KERNEL);
	if (!efile)
		return -ENOMEM;

	down_read(&edev->state_lock);
	if (edudma_removed(edev))
		ret = -ENODEV;
	up_read(&edev->state_lock);
	if (ret) {
		kfree(efile);
		return ret;
	}

	get_device(&edev->dev);
	efile->edev = edev;
	mutex_init(&efile->lock);
	xa_init_flags(&efile->regions, XA_FLAGS_ALLOC1);
	efile->next_handle = 1;
	INIT_LIST_HEAD(&efile->active_node);
	INIT_LIST_HEAD(&efile->pending);
	INIT_LIST_HEAD(&efile->done);
	init_waitqueue_head(&efile->wq);
	edudma_watch_file_init(efile);

	mutex_lock(&edev->files_lock);
	list_add_tail(&efile->dev_node, &edev->files);
	mutex_unlock(&edev->files_lock);

	file->private_data = efile;
	return nonseekable_open(inode, file);
}

/*
 * The last reference to the file is gone (close, exit, kill -9): cancel its
 * queued transfers, wait for the running one, release every registration,
 * pin and memlock charge.
 */
static int edudma_release(struct inode *inode, struct file *file)
{
	struct edudma_file *efile = file->private_data;
	struct edudma_dev *edev = efile->edev;

	down_read(&edev->state_lock);
	edudma_req_drain_file(efile);
	edudma_regions_destroy(efile);
	up_read(&edev->state_lock);
	edudma_watch_file_release(efile);

	mutex_lock(&edev->files_lock);
	list_del(&efile->dev_node);
	mutex_unlock(&edev->files_lock);

	if (efile->eventfd)
		eventfd_ctx_put(efile->eventfd);
	xa_destroy(&efile->regions);
	mutex_destroy(&efile->lock);
	kfree(efile);
	put_device(&edev->dev);
	return 0;
}

static const struct file_operations edudma_fops = {
	.owner		= THIS_MODULE,
	.open		= edudma_open,
	.release	= edudma_release,
	.read		= edudma_read,
	.poll		= edudma_poll,
	.unlocked_ioctl	= edudma_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static void edudma_dev_release(struct device *dev)
{
	struct edudma_dev *edev = container_of(dev, struct edudma_dev, dev);

	WARN_ON_ONCE(!list_empty(&edev->mrs));
	mutex_destroy(&edev->mr_lock);
	mutex_destroy(&edev->files_lock);
	mutex_destroy(&edev->fact_lock);
	if (edev->minor < EDUDMA_MAX_DEVICES)
		ida_free(&edudma_minors, edev->minor);
	kfree(edev);
}

/*
 * Creates /dev/edudmaN.  From this call on, edev lives as long as its
 * embedded struct device, success or not: on failure the caller undoes
 * what it set up before (the IRQ, which uses edev) and then drops the
 * device with put_device(), which frees edev (edudma_dev_release()).
 */
int edudma_cdev_add(struct edudma_dev *edev)
{
	int minor, ret;

	device_initialize(&edev->dev);
	edev->dev.class = edudma_class;
	edev->dev.parent = &edev->pdev->dev;
	edev->dev.release = edudma_dev_release;
	edev->dev.groups = edudma_groups;
	edev->minor = EDUDMA_MAX_DEVICES;	/* none yet */

	minor = ida_alloc_max(&edudma_minors, EDUDMA_MAX_DEVICES - 1,
			      GFP_KERNEL);
	if (minor < 0)
		return minor;
	edev->minor = minor;
	edev->dev.devt = MKDEV(MAJOR(edudma_devt), minor);
	ret = dev_set_name(&edev->dev, EDUDMA_NAME "%d", minor);
	if (ret)
		return ret;

	cdev_init(&edev->cdev, &edudma_fops);
	edev->cdev.owner = THIS_MODULE;
	return cdev_device_add(&edev->cdev, &edev->dev);
}

/*
 * Removes /dev/edudmaN: no new open succeeds afterwards.  Files already
 * open keep their reference; the memory goes with the last put_device().
 */
void edudma_cdev_del(struct edudma_dev *edev)
{
	cdev_device_del(&edev->cdev, &edev->dev);
}

int edudma_cdev_init(void)
{
	int ret;

	ret = alloc_chrdev_region(&edudma_devt, 0, EDUDMA_MAX_DEVICES,
				  EDUDMA_NAME);
	if (ret)
		return ret;

	edudma_class = edudma_class_create(EDUDMA_NAME);
	if (IS_ERR(edudma_class)) {
		unregister_chrdev_region(edudma_devt, EDUDMA_MAX_DEVICES);
		return PTR_ERR(edudma_class);
	}
	return 0;
}

void edudma_cdev_exit(void)
{
	class_destroy(edudma_class);
	unregister_chrdev_region(edudma_devt, EDUDMA_MAX_DEVICES);
	ida_destroy(&edudma_minors);
}
